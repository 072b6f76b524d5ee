#pragma once
// diffusers' vae.Encoder (double_z): image [B, in, H, W] -> moments [B, 2*latent, H/f, W/f].
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include "core/config/vae_config.h"
#include "core/models/vae/vae_blocks.h"
#include "core/models/vae/vae_tap.h"

namespace storyscope {

class VaeEncoderImpl : public torch::nn::Module {
 public:
  explicit VaeEncoderImpl(const VAEConfig& config);
  at::Tensor forward(const at::Tensor& image, const VaeTap& tap = {});

  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  torch::nn::ModuleList down_blocks{nullptr};
  VaeMidBlock2D mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};

 private:
  std::vector<VaeDownEncoderBlock2D> down_list_;
};
TORCH_MODULE(VaeEncoder);

}  // namespace storyscope
