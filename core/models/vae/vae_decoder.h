#pragma once
// diffusers' vae.Decoder (group norm): latents [B, latent, h, w] -> image [B, out, h*f, w*f].
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include "core/config/vae_config.h"
#include "core/models/vae/vae_blocks.h"
#include "core/models/vae/vae_tap.h"

namespace storyscope {

class VaeDecoderImpl : public torch::nn::Module {
 public:
  explicit VaeDecoderImpl(const VAEConfig& config);
  at::Tensor forward(const at::Tensor& latents, const VaeTap& tap = {});

  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  VaeMidBlock2D mid_block{nullptr};
  torch::nn::ModuleList up_blocks{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};

 private:
  std::vector<VaeUpDecoderBlock2D> up_list_;
};
TORCH_MODULE(VaeDecoder);

}  // namespace storyscope
