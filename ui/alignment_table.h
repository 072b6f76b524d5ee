#pragma once
// The alignment table of the mask painter: per masked word, MSE, IoU and attention mass inside
// the mask for the inspector's view and step. Cells show three decimals; Qt::UserRole holds the
// exact value.
#include <QTableWidget>
#include <vector>

#include "ui/alignment_scores.h"

namespace storyscope::ui {

class AlignmentTable : public QTableWidget {
  Q_OBJECT
 public:
  enum Column { WordColumn, MseColumn, IouColumn, MassColumn, ColumnCount };
  explicit AlignmentTable(QWidget* parent = nullptr);

  void set_entries(const std::vector<WordAlignment>& entries);
  const std::vector<WordAlignment>& entries() const { return entries_; }
  // The exact value of a cell (NaN when the row has no scores).
  double value(int row, Column column) const;

 private:
  std::vector<WordAlignment> entries_;
};

}  // namespace storyscope::ui
