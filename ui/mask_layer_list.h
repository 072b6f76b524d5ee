#pragma once
// The word layers of the mask painter: pick the word to paint, tick to show/hide its layer,
// double-click to change its colour.
#include <QListWidget>

#include "ui/mask_document.h"

namespace storyscope::ui {

class MaskLayerList : public QListWidget {
  Q_OBJECT
 public:
  explicit MaskLayerList(MaskDocument* document, QWidget* parent = nullptr);
  QString current_word() const;
  void select_word(const QString& word);

 signals:
  void wordChosen(const QString& word);

 private:
  void rebuild();
  void refresh_item(const QString& word);

  MaskDocument* document_;
};

}  // namespace storyscope::ui
