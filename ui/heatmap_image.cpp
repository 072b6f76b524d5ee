#include "ui/heatmap_image.h"

#include <ATen/ATen.h>

#include <cstring>

namespace storyscope::ui {

QImage to_qimage(const RgbImage& image) {
  QImage out(image.width, image.height, QImage::Format_RGB888);
  for (int y = 0; y < image.height; ++y)
    std::memcpy(out.scanLine(y), image.rgb.data() + static_cast<std::size_t>(y) * image.width * 3,
                static_cast<std::size_t>(image.width) * 3);
  return out;
}

RgbImage to_rgb_image(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  RgbImage out;
  out.width = rgb.width();
  out.height = rgb.height();
  out.rgb.resize(out.expected_size());
  for (int y = 0; y < out.height; ++y)
    std::memcpy(out.rgb.data() + static_cast<std::size_t>(y) * out.width * 3, rgb.constScanLine(y),
                static_cast<std::size_t>(out.width) * 3);
  return out;
}

QImage heatmap_overlay(const QImage& base, const at::Tensor& map, Colormap colormap, double opacity,
                       int fallback_size) {
  const at::Tensor clamped = map.to(at::kFloat).clamp(0, 1);
  if (base.isNull()) return to_qimage(colorize(clamped, colormap, fallback_size, fallback_size));
  return to_qimage(overlay(to_rgb_image(base), clamped, colormap, opacity));
}

}  // namespace storyscope::ui
