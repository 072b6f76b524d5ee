#include "ui/alignment_table.h"

#include <QHeaderView>
#include <cmath>
#include <limits>

namespace storyscope::ui {

AlignmentTable::AlignmentTable(QWidget* parent) : QTableWidget(0, ColumnCount, parent) {
  setHorizontalHeaderLabels({tr("Word"), tr("MSE"), tr("IoU"), tr("Mass inside")});
  horizontalHeaderItem(MseColumn)->setToolTip(
      tr("Mean squared error between the mask and the map divided by its max (lower is better)"));
  horizontalHeaderItem(IouColumn)->setToolTip(
      tr("Intersection over union of the map thresholded at 0.4 of its max with the mask"));
  horizontalHeaderItem(MassColumn)
      ->setToolTip(tr("Share of the word's attention that falls inside the mask"));
  horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  verticalHeader()->hide();
  setEditTriggers(QAbstractItemView::NoEditTriggers);
}

void AlignmentTable::set_entries(const std::vector<WordAlignment>& entries) {
  entries_ = entries;
  setRowCount(static_cast<int>(entries.size()));
  for (int r = 0; r < rowCount(); ++r) {
    const WordAlignment& e = entries[static_cast<std::size_t>(r)];
    setItem(r, WordColumn, new QTableWidgetItem(e.word));
    const double values[] = {e.scores ? e.scores->mse : std::nan(""), e.scores ? e.scores->iou : std::nan(""),
                             e.scores ? e.scores->mass_inside : std::nan("")};
    for (int c = MseColumn; c <= MassColumn; ++c) {
      const double v = values[c - MseColumn];
      auto* item = new QTableWidgetItem(std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'f', 3));
      item->setData(Qt::UserRole, v);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      if (!e.problem.isEmpty()) item->setToolTip(e.problem);
      setItem(r, c, item);
    }
  }
}

double AlignmentTable::value(int row, Column column) const {
  const QTableWidgetItem* it = item(row, column);
  return it ? it->data(Qt::UserRole).toDouble() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace storyscope::ui
