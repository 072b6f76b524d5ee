#include "ui/heatmap_tile.h"

#include <ATen/ATen.h>

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace storyscope::ui {

namespace {
constexpr int kLabelHeight = 18;
}

HeatmapTile::HeatmapTile(int index, int image_size, QWidget* parent)
    : QWidget(parent), index_(index), image_size_(image_size) {
  setMouseTracking(true);
  setCursor(Qt::CrossCursor);
  setFixedSize(sizeHint());
}

QSize HeatmapTile::sizeHint() const { return {image_size_, image_size_ + kLabelHeight}; }

void HeatmapTile::set_content(const QImage& picture, const at::Tensor& map, const QString& label) {
  picture_ = picture;
  map_ = map.defined() ? map.to(at::kFloat).contiguous() : map;
  label_ = label;
  setToolTip(label);
  update();
}

void HeatmapTile::set_highlighted(bool on) {
  if (on == highlighted_) return;
  highlighted_ = on;
  update();
}

QRect HeatmapTile::image_rect() const { return {0, 0, image_size_, image_size_}; }

std::optional<double> HeatmapTile::value_at(const QPoint& pos) const {
  const QRect r = image_rect();
  if (!map_.defined() || map_.dim() != 2 || !r.contains(pos)) return std::nullopt;
  // The cell of the map's own grid under the cursor: the picture is that grid upsampled.
  const std::int64_t h = map_.size(0), w = map_.size(1);
  const std::int64_t row = std::min<std::int64_t>(h - 1, (pos.y() - r.top()) * h / r.height());
  const std::int64_t col = std::min<std::int64_t>(w - 1, (pos.x() - r.left()) * w / r.width());
  return map_.index({row, col}).item<double>();
}

void HeatmapTile::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  if (!picture_.isNull()) p.drawImage(image_rect(), picture_);
  if (highlighted_) {
    p.setPen(QPen(palette().highlight().color(), 3));
    p.drawRect(image_rect().adjusted(1, 1, -2, -2));
  }
  const QRect label_rect(0, image_size_, width(), kLabelHeight);
  QString text = label_;
  if (hovered_) text += QStringLiteral("  %1").arg(*hovered_, 0, 'f', 3);
  p.setPen(palette().windowText().color());
  p.drawText(label_rect, Qt::AlignCenter, p.fontMetrics().elidedText(text, Qt::ElideRight, width()));
}

void HeatmapTile::mouseMoveEvent(QMouseEvent* event) {
  hovered_ = value_at(event->position().toPoint());
  if (hovered_) {
    emit hovered(index_, *hovered_);
    setToolTip(tr("%1: %2").arg(label_).arg(*hovered_, 0, 'f', 4));
  }
  update();
}

void HeatmapTile::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && image_rect().contains(event->position().toPoint()))
    emit clicked(index_);
}

void HeatmapTile::leaveEvent(QEvent*) {
  hovered_.reset();
  update();
}

}  // namespace storyscope::ui
