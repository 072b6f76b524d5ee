#pragma once
// Pillow's Image.resize(BICUBIC) on 8-bit images, reproduced exactly (libImaging/Resample.c):
// a separable cubic with a = -0.5 whose support widens by the scale when downscaling (so it
// antialiases), coefficients normalised per output pixel and rounded to 22-bit fixed point,
// a horizontal pass first into an 8-bit intermediate (rounded and clipped), then a vertical
// pass. transformers' CLIPImageProcessor resizes through Pillow, so matching it matters for
// parity with real image embeddings; OpenCV's INTER_CUBIC (a = -0.75, no antialiasing) differs.
#include <ATen/Tensor.h>

#include <cstdint>

namespace storyscope {

// image: uint8 [H, W, C] (any C, each channel resized alike). Returns uint8 [height, width, C].
// Throws Error(BadInput) for another dtype or layout, or a non-positive size.
at::Tensor pil_bicubic_resize(const at::Tensor& image, std::int64_t width, std::int64_t height);

}  // namespace storyscope
