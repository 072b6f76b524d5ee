#include "ui/mask_document.h"

#include "ui/mask_image.h"

namespace storyscope::ui {

MaskDocument::MaskDocument(QObject* parent) : QObject(parent) {}

void MaskDocument::reset(const QStringList& words, const QSize& size) {
  words_.clear();
  layers_.clear();
  size_ = size;
  for (const QString& w : words) {
    if (layers_.contains(w)) continue;
    // Distinct hues around the colour wheel (golden-angle steps), readable on most images.
    const int hue = (static_cast<int>(words_.size()) * 137) % 360;
    layers_.insert(w, Layer{blank_mask(size), QColor::fromHsv(hue, 220, 255), true});
    words_ << w;
  }
  emit layersReset();
}

void MaskDocument::set_mask(const QString& word, const QImage& mask) {
  auto it = layers_.find(word);
  if (it == layers_.end()) return;
  const QImage sized =
      mask.size() == size_ ? mask : mask.scaled(size_, Qt::IgnoreAspectRatio, Qt::FastTransformation);
  it->mask = binarise_mask(sized);
  emit maskChanged(word);
}

void MaskDocument::set_color(const QString& word, const QColor& color) {
  auto it = layers_.find(word);
  if (it == layers_.end()) return;
  it->color = color;
  emit appearanceChanged(word);
}

void MaskDocument::set_visible(const QString& word, bool visible) {
  auto it = layers_.find(word);
  if (it == layers_.end()) return;
  it->visible = visible;
  emit appearanceChanged(word);
}

QMap<QString, QImage> MaskDocument::non_empty_masks() const {
  QMap<QString, QImage> out;
  for (auto it = layers_.begin(); it != layers_.end(); ++it)
    if (!mask_is_empty(it->mask)) out.insert(it.key(), it->mask);
  return out;
}

}  // namespace storyscope::ui
