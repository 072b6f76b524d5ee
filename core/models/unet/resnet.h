#pragma once
// diffusers' ResnetBlock2D, Downsample2D and Upsample2D (models/resnet.py, models/downsampling.py,
// models/upsampling.py), in the configurations UNet2DConditionModel builds.
#include <ATen/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <optional>
#include <string>
#include <vector>

namespace storyscope {

struct ResnetBlock2DOptions {
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::optional<std::int64_t> temb_channels = 512;  // none: no time_emb_proj
  std::int64_t groups = 32;
  double eps = 1e-6;
  std::string non_linearity = "silu";
  std::string time_embedding_norm = "default";  // or "scale_shift"
  double output_scale_factor = 1.0;
};

class ResnetBlock2DImpl : public torch::nn::Module {
 public:
  explicit ResnetBlock2DImpl(const ResnetBlock2DOptions& options);
  at::Tensor forward(const at::Tensor& input, const at::Tensor& temb);
  std::int64_t in_channels() const { return options_.in_channels; }

  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
  torch::nn::Linear time_emb_proj{nullptr};

 private:
  ResnetBlock2DOptions options_;
};
TORCH_MODULE(ResnetBlock2D);

// A stride-2 3x3 conv; padding 0 pads right/bottom by one first (diffusers' asymmetric form).
class Downsample2DImpl : public torch::nn::Module {
 public:
  Downsample2DImpl(std::int64_t channels, std::int64_t out_channels, std::int64_t padding);
  at::Tensor forward(const at::Tensor& hidden);

  torch::nn::Conv2d conv{nullptr};

 private:
  std::int64_t padding_;
};
TORCH_MODULE(Downsample2D);

// Nearest-neighbour x2 (or to `output_size` when the skip connection is not exactly twice the
// size, i.e. inputs not divisible by the overall downsampling factor), then a 3x3 conv.
class Upsample2DImpl : public torch::nn::Module {
 public:
  Upsample2DImpl(std::int64_t channels, std::int64_t out_channels);
  at::Tensor forward(const at::Tensor& hidden, const std::vector<std::int64_t>& output_size = {});

  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

}  // namespace storyscope
