#pragma once
// diffusers' ResnetBlock2D as the VAE uses it: no time embedding, pre-norm, output scale 1.
// Kept VAE-local (the UNet has its own, with time embedding) until the two are merged.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include "core/config/vae_config.h"

namespace storyscope {

at::Tensor apply_vae_activation(VaeActivation act, const at::Tensor& x);

struct VaeResnetOptions {
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t groups = 32;
  double eps = 1e-6;
  VaeActivation act = VaeActivation::SiLU;
};

class VaeResnetBlock2DImpl : public torch::nn::Module {
 public:
  explicit VaeResnetBlock2DImpl(const VaeResnetOptions& options);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Conv2d conv_shortcut{nullptr};  // only when the channel count changes

 private:
  VaeActivation act_;
};
TORCH_MODULE(VaeResnetBlock2D);

}  // namespace storyscope
