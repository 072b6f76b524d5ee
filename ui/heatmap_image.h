#pragma once
// Between the engine's RgbImage and Qt's QImage, and a map drawn over a picture with the core
// colormaps (core/imaging/heatmap.h), so every widget colours attention the same way.
#include <ATen/Tensor.h>

#include <QImage>

#include "core/imaging/heatmap.h"
#include "core/imaging/rgb_image.h"

namespace storyscope::ui {

QImage to_qimage(const RgbImage& image);  // RGB888, deep copy
RgbImage to_rgb_image(const QImage& image);

// map [h, w] (values clamped to [0, 1]) over `base` with `opacity`; a null base gives the
// coloured map alone at `fallback_size` pixels.
QImage heatmap_overlay(const QImage& base, const at::Tensor& map, Colormap colormap, double opacity,
                       int fallback_size = 128);

}  // namespace storyscope::ui
