#include "ui/mask_layer_list.h"

#include <QColorDialog>
#include <QPixmap>
#include <QSignalBlocker>

#include "ui/mask_image.h"

namespace storyscope::ui {

MaskLayerList::MaskLayerList(MaskDocument* document, QWidget* parent)
    : QListWidget(parent), document_(document) {
  setToolTip(tr("Tick to show a word's mask; double-click to change its colour"));
  connect(document_, &MaskDocument::layersReset, this, &MaskLayerList::rebuild);
  connect(document_, &MaskDocument::appearanceChanged, this, &MaskLayerList::refresh_item);
  connect(document_, &MaskDocument::maskChanged, this, &MaskLayerList::refresh_item);
  connect(this, &QListWidget::currentTextChanged, this, [this](const QString& word) {
    if (!word.isEmpty()) emit wordChosen(word);
  });
  connect(this, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
    document_->set_visible(item->text(), item->checkState() == Qt::Checked);
  });
  connect(this, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
    const QColor c = QColorDialog::getColor(document_->color(item->text()), this, tr("Mask colour"));
    if (c.isValid()) document_->set_color(item->text(), c);
  });
}

QString MaskLayerList::current_word() const { return currentItem() ? currentItem()->text() : QString(); }

void MaskLayerList::select_word(const QString& word) {
  const auto found = findItems(word, Qt::MatchExactly);
  if (!found.isEmpty()) setCurrentItem(found.front());
}

void MaskLayerList::rebuild() {
  {
    const QSignalBlocker block(this);
    clear();
    for (const QString& w : document_->words()) {
      auto* item = new QListWidgetItem(w, this);
      item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    }
  }
  for (const QString& w : document_->words()) refresh_item(w);
  if (count() > 0) setCurrentRow(0);
}

void MaskLayerList::refresh_item(const QString& word) {
  const auto found = findItems(word, Qt::MatchExactly);
  if (found.isEmpty()) return;
  const QSignalBlocker block(this);
  QListWidgetItem* item = found.front();
  QPixmap swatch(14, 14);
  swatch.fill(document_->color(word));
  item->setIcon(swatch);
  item->setCheckState(document_->visible(word) ? Qt::Checked : Qt::Unchecked);
  QFont f = item->font();
  f.setBold(!mask_is_empty(document_->mask(word)));  // bold: this word has a mask
  item->setFont(f);
}

}  // namespace storyscope::ui
