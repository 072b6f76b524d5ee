#include "ui/mask_canvas.h"

#include <QMouseEvent>
#include <QPainter>
#include <cmath>
#include <vector>

namespace storyscope::ui {

namespace {

// The mask as a colour layer: the colour where set, transparent elsewhere.
QImage tinted(const QImage& mask, const QColor& color) {
  QImage out(mask.size(), QImage::Format_ARGB32_Premultiplied);
  out.fill(Qt::transparent);
  const QRgb on = qPremultiply(qRgba(color.red(), color.green(), color.blue(), 160));
  for (int y = 0; y < mask.height(); ++y) {
    const uchar* src = mask.constScanLine(y);
    auto* dst = reinterpret_cast<QRgb*>(out.scanLine(y));
    for (int x = 0; x < mask.width(); ++x)
      if (src[x]) dst[x] = on;
  }
  return out;
}

}  // namespace

MaskCanvas::MaskCanvas(MaskDocument* document, QWidget* parent) : QWidget(parent), document_(document) {
  setMouseTracking(false);
  setCursor(Qt::CrossCursor);
  setMinimumSize(128, 128);
  connect(document_, &MaskDocument::maskChanged, this, [this] { update(); });
  connect(document_, &MaskDocument::appearanceChanged, this, [this] { update(); });
  connect(document_, &MaskDocument::layersReset, this, [this] { update(); });
}

void MaskCanvas::set_background(const QImage& image) {
  background_ = image;
  update();
}

void MaskCanvas::set_current_word(const QString& word) { word_ = word; }

QRectF MaskCanvas::image_rect() const {
  const QSize size = document_->size().isValid() ? document_->size() : background_.size();
  if (size.isEmpty()) return {};
  const double scale = std::min(width() / double(size.width()), height() / double(size.height()));
  const QSizeF shown(size.width() * scale, size.height() * scale);
  return {QPointF((width() - shown.width()) / 2, (height() - shown.height()) / 2), shown};
}

QPoint MaskCanvas::image_point(const QPointF& pos) const {
  const QRectF r = image_rect();
  const QSize size = document_->size();
  if (r.isEmpty()) return {};
  return {static_cast<int>(std::floor((pos.x() - r.left()) * size.width() / r.width())),
          static_cast<int>(std::floor((pos.y() - r.top()) * size.height() / r.height()))};
}

QPointF MaskCanvas::widget_point(const QPoint& p) const {
  const QRectF r = image_rect();
  const QSize size = document_->size();
  return {r.left() + (p.x() + 0.5) * r.width() / size.width(),
          r.top() + (p.y() + 0.5) * r.height() / size.height()};
}

void MaskCanvas::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().dark());
  const QRectF r = image_rect();
  if (r.isEmpty()) return;
  if (!background_.isNull()) p.drawImage(r, background_);
  for (const QString& w : document_->words()) {
    if (!document_->visible(w)) continue;
    const QImage& mask = before_ && w == word_ ? working_ : document_->mask(w);
    p.drawImage(r, tinted(mask, document_->color(w)));
  }
}

void MaskCanvas::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !document_->contains(word_)) return;
  const QPoint at = image_point(event->position());
  if (tool_ == MaskTool::Fill) {
    flood_fill(at);
    return;
  }
  before_ = document_->mask(word_);
  working_ = before_->copy();
  last_ = at;
  paint_segment(at, at);
}

void MaskCanvas::mouseMoveEvent(QMouseEvent* event) {
  if (!before_) return;
  const QPoint at = image_point(event->position());
  paint_segment(last_, at);
  last_ = at;
}

void MaskCanvas::mouseReleaseEvent(QMouseEvent* event) {
  if (!before_ || event->button() != Qt::LeftButton) return;
  const QImage before = *before_;
  before_.reset();
  if (working_ != before)
    emit editFinished(word_, before, working_,
                      tool_ == MaskTool::Eraser ? tr("Erase %1").arg(word_) : tr("Paint %1").arg(word_));
  update();
}

void MaskCanvas::paint_segment(const QPoint& from, const QPoint& to) {
  // Painted on an ARGB copy: QPainter cannot draw on Grayscale8 with a plain pen everywhere.
  QImage argb = working_.convertToFormat(QImage::Format_RGB32);
  {
    QPainter p(&argb);
    const QColor value = tool_ == MaskTool::Eraser ? Qt::black : Qt::white;
    p.setPen(QPen(value, brush_size_, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setRenderHint(QPainter::Antialiasing, false);
    if (from == to)
      p.drawPoint(from);
    else
      p.drawLine(from, to);
  }
  working_ = argb.convertToFormat(QImage::Format_Grayscale8);
  update();
}

void MaskCanvas::flood_fill(const QPoint& seed) {
  const QImage before = document_->mask(word_);
  if (!before.rect().contains(seed)) return;
  QImage after = before.copy();
  const uchar target = after.constScanLine(seed.y())[seed.x()];
  if (target == 255) return;  // already inside the mask: nothing to fill
  std::vector<QPoint> todo{seed};
  while (!todo.empty()) {
    const QPoint p = todo.back();
    todo.pop_back();
    if (!after.rect().contains(p) || after.constScanLine(p.y())[p.x()] != target) continue;
    after.scanLine(p.y())[p.x()] = 255;
    todo.push_back({p.x() + 1, p.y()});
    todo.push_back({p.x() - 1, p.y()});
    todo.push_back({p.x(), p.y() + 1});
    todo.push_back({p.x(), p.y() - 1});
  }
  emit editFinished(word_, before, after, tr("Fill %1").arg(word_));
}

}  // namespace storyscope::ui
