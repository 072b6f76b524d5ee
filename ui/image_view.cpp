#include "ui/image_view.h"

#include <QPainter>

namespace storyscope::ui {

ImageView::ImageView(QWidget* parent) : QWidget(parent) { setMinimumSize(64, 64); }

void ImageView::setImage(const QImage& image) {
  image_ = image;
  update();
}

void ImageView::setPlaceholder(const QString& text) {
  placeholder_ = text;
  update();
}

void ImageView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  if (image_.isNull()) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
    return;
  }
  const QSize fitted = image_.size().scaled(size(), Qt::KeepAspectRatio);
  const QRect target(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
  // Measured in device pixels: on a 2x screen a 64 px frame in 128 logical px is enlarged 4x.
  const bool enlarging_a_lot = fitted.width() * devicePixelRatioF() >= 2 * image_.width();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, !enlarging_a_lot);
  painter.drawImage(target, image_);
}

}  // namespace storyscope::ui
