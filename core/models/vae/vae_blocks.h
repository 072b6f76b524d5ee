#pragma once
// The VAE's blocks, named as diffusers 0.27 names them (DownEncoderBlock2D, UpDecoderBlock2D,
// UNetMidBlock2D, Downsample2D, Upsample2D) so their state-dict keys match 1:1. Vae-prefixed
// C++ names keep them apart from the UNet's blocks of the same diffusers names.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>

#include <string>
#include <vector>

#include "core/models/attention.h"
#include "core/models/vae/vae_resnet.h"

namespace storyscope {

// Strided 3x3 conv. diffusers builds the VAE's with padding 0 and pads right/bottom by one
// first, which is not the same as padding 1.
class VaeDownsample2DImpl : public torch::nn::Module {
 public:
  VaeDownsample2DImpl(std::int64_t channels, std::int64_t padding);
  at::Tensor forward(const at::Tensor& x);
  torch::nn::Conv2d conv{nullptr};

 private:
  std::int64_t padding_;
};
TORCH_MODULE(VaeDownsample2D);

// Nearest 2x upsampling, then a 3x3 conv.
class VaeUpsample2DImpl : public torch::nn::Module {
 public:
  explicit VaeUpsample2DImpl(std::int64_t channels);
  at::Tensor forward(const at::Tensor& x);
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(VaeUpsample2D);

struct VaeBlockOptions {
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t num_layers = 1;
  std::int64_t groups = 32;
  double eps = 1e-6;
  VaeActivation act = VaeActivation::SiLU;
  bool add_sampler = true;  // downsampler / upsampler after the resnets
};

// Encoder level: resnets.j, then downsamplers.0 (padding 0).
class VaeDownEncoderBlock2DImpl : public torch::nn::Module {
 public:
  explicit VaeDownEncoderBlock2DImpl(const VaeBlockOptions& options);
  at::Tensor forward(at::Tensor x);
  torch::nn::ModuleList resnets{nullptr}, downsamplers{nullptr};

 private:
  std::vector<VaeResnetBlock2D> resnet_list_;
  VaeDownsample2D downsampler_{nullptr};
};
TORCH_MODULE(VaeDownEncoderBlock2D);

// Decoder level: resnets.j, then upsamplers.0.
class VaeUpDecoderBlock2DImpl : public torch::nn::Module {
 public:
  explicit VaeUpDecoderBlock2DImpl(const VaeBlockOptions& options);
  at::Tensor forward(at::Tensor x);
  torch::nn::ModuleList resnets{nullptr}, upsamplers{nullptr};

 private:
  std::vector<VaeResnetBlock2D> resnet_list_;
  VaeUpsample2D upsampler_{nullptr};
};
TORCH_MODULE(VaeUpDecoderBlock2D);

// UNetMidBlock2D without time embedding: resnets.0, attentions.0, resnets.1. The attention is
// single-head over all channels (attention_head_dim = channels) with group norm and residual.
class VaeMidBlock2DImpl : public torch::nn::Module {
 public:
  // `name` is the block's module path ("decoder.mid_block"), given to the attention's LayerInfo.
  VaeMidBlock2DImpl(std::int64_t channels, std::int64_t groups, double eps, VaeActivation act,
                    bool add_attention, const std::string& name);
  at::Tensor forward(at::Tensor x);
  torch::nn::ModuleList resnets{nullptr}, attentions{nullptr};

 private:
  std::vector<VaeResnetBlock2D> resnet_list_;
  Attention attention_{nullptr};
};
TORCH_MODULE(VaeMidBlock2D);

}  // namespace storyscope
