#pragma once
// Conversions between LibTorch image tensors and 8-bit RGB images, with the same arithmetic
// as diffusers' image processor so a saved PNG has the bytes diffusers would have saved.
#include <ATen/Tensor.h>

#include <string>

#include "core/imaging/rgb_image.h"

namespace storyscope {

enum class ValueRange {
  MinusOneToOne,  // [-1, 1]: what the VAE decodes to and encodes from
  ZeroToOne,      // [0, 1]: diffusers' output_type="np"/"pt" images
};

// `chw` is [3,H,W] or [1,3,H,W], any floating dtype, any device. Computed in float32 like
// diffusers' postprocess + numpy_to_pil: MinusOneToOne first maps x -> x/2 + 0.5; then
// clamp(0, 1), * 255, round half to even (numpy's round), to uint8. NaN becomes 0.
// Throws Error(BadInput) naming `what` on a wrong shape or dtype.
RgbImage image_from_tensor(const at::Tensor& chw, ValueRange range, const std::string& what = "image tensor");

// [1,3,H,W] float32 on the CPU: v / 255 for ZeroToOne, v / 255 * 2 - 1 for MinusOneToOne
// (diffusers' preprocess). Throws Error(BadInput) when the image is not valid().
at::Tensor tensor_from_image(const RgbImage& image, ValueRange range);

// Which channel of a mask file holds the mask.
enum class MaskSource {
  // Alpha when the file has an alpha channel that is not fully opaque, otherwise luminance.
  // A painted-over transparent layer and a black/white mask both do what the user means.
  Auto,
  Luminance,  // Rec. 601 luma as PIL's convert("L") (ignores alpha); gray files as-is
  Alpha,      // the alpha channel; a file without one is fully opaque (all 1)
};

// A mask image (any PNG OpenCV reads: gray, gray+alpha, RGB, RGBA, 8 or 16 bit) as an [H,W]
// float32 CPU tensor in [0, 1] (value / 255 or / 65535; 1 = white or opaque). Not binarised:
// callers threshold as their pipeline requires. Throws Error(BadInput) naming the file.
at::Tensor read_mask_png(const std::string& path, MaskSource source = MaskSource::Auto);

}  // namespace storyscope
