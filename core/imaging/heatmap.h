#pragma once
// Attention maps made visible: colormaps, overlays on the generated image, and a grid of
// per-token tiles with the token text under each. Maps are float tensors [h, w] with values
// in [0, 1] (clamped); they are upsampled bicubically to the display size before colouring.
#include <ATen/Tensor.h>

#include <string>
#include <vector>

#include "core/imaging/rgb_image.h"

namespace storyscope {

enum class Colormap { Turbo, Jet, Viridis, Gray };

// "turbo" | "jet" | "viridis" | "gray"; anything else is an Error naming the value.
Colormap parse_colormap(const std::string& name);
const char* colormap_name(Colormap c);

// The map coloured; width/height 0 keep the map's own size, otherwise bicubic upsampling first.
RgbImage colorize(const at::Tensor& map, Colormap colormap, int width = 0, int height = 0);

// `map` upsampled (bicubic) to the base image and alpha-blended over it with `opacity` in [0, 1].
RgbImage overlay(const RgbImage& base, const at::Tensor& map, Colormap colormap, double opacity = 0.5);

// Tiles of equal size laid out in `columns` columns (0: near-square), each with its label
// (UTF-8; characters the font lacks are shown as '?') in a strip underneath.
RgbImage token_grid(const std::vector<RgbImage>& tiles, const std::vector<std::string>& labels,
                    int columns = 0);

}  // namespace storyscope
