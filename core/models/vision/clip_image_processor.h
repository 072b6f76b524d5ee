#pragma once
// transformers' CLIPImageProcessor on uint8 RGB images, without OpenCV or Pillow: resize so the
// shortest edge is `shortest_edge` (Pillow's bicubic, see pil_resize.h; the long edge becomes
// int(shortest_edge * long / short)), centre crop, x * rescale_factor, (x - mean) / std, CHW.
// Reads preprocessor_config.json (a diffusers `feature_extractor/` folder or the file itself).
#include <ATen/Tensor.h>

#include <array>
#include <cstdint>
#include <string>

namespace storyscope {

class JsonFields;

struct ClipImageProcessorConfig {
  bool do_resize = true;
  std::int64_t shortest_edge = 224;
  int resample = 3;  // PIL.Image.BICUBIC: the only filter supported
  bool do_center_crop = true;
  std::int64_t crop_height = 224, crop_width = 224;
  bool do_rescale = true;
  double rescale_factor = 1.0 / 255.0;
  bool do_normalize = true;
  std::array<double, 3> image_mean{0.48145466, 0.4578275, 0.40821073};  // OpenAI CLIP
  std::array<double, 3> image_std{0.26862954, 0.26130258, 0.27577711};

  // Unknown keys are ignored; a size given as {"height","width"} instead of shortest_edge, or
  // another resample filter, is an Error naming the key.
  static ClipImageProcessorConfig from_json(const JsonFields& fields);
  // `path`: preprocessor_config.json, or a folder holding it (directly or in feature_extractor/).
  static ClipImageProcessorConfig from_file(const std::string& path);
};

class ClipImageProcessor {
 public:
  explicit ClipImageProcessor(ClipImageProcessorConfig config = {}) : config_(config) {}

  // The resize and crop steps: uint8 [H, W, 3] -> uint8 [crop_height, crop_width, 3].
  at::Tensor resize_and_crop(const at::Tensor& image) const;
  // The whole preprocessing: uint8 [H, W, 3] (RGB) -> float32 pixel_values [1, 3, h, w].
  at::Tensor preprocess(const at::Tensor& image) const;
  // Rescale, normalise and reorder an already cropped uint8 [h, w, 3] -> float32 [1, 3, h, w].
  at::Tensor normalize(const at::Tensor& cropped) const;

  const ClipImageProcessorConfig& config() const { return config_; }

 private:
  ClipImageProcessorConfig config_;
};

}  // namespace storyscope
