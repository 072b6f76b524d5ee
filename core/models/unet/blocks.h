#pragma once
// diffusers' UNet blocks (models/unets/unet_2d_blocks.py): CrossAttnDownBlock2D, DownBlock2D,
// UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D, UpBlock2D.
#include <ATen/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include <string>
#include <vector>

#include "core/models/unet/resnet.h"
#include "core/models/unet/transformer_2d.h"

namespace storyscope {

struct BlockOptions {
  std::int64_t num_layers = 2;
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t prev_output_channels = 0;  // up blocks: channels coming from the block below
  std::int64_t temb_channels = 1280;
  double resnet_eps = 1e-5;
  std::int64_t resnet_groups = 32;
  std::string act_fn = "silu";
  std::string time_embedding_norm = "default";
  double output_scale_factor = 1.0;
  bool add_sample_resize = true;  // downsampler / upsampler
  std::int64_t downsample_padding = 1;
  bool has_attention = false;
  TransformerOptions transformer;  // heads, head_dim, layers, cross dim, projection kind
};

struct DownBlockOutput {
  at::Tensor hidden;
  std::vector<at::Tensor> res_samples;  // skip connections, in creation order
};

// A down or up block with or without cross-attention; the UNet holds them by this base.
class UNetBlockImpl : public torch::nn::Module {
 public:
  // The attention modules in call order.
  std::vector<Attention> attention_modules() const;
  std::size_t num_resnets() const { return resnets_.size(); }

 protected:
  void build_layers(const BlockOptions& o, const AttentionSite& site, bool up);
  at::Tensor run_layer(std::size_t i, const at::Tensor& hidden, const at::Tensor& temb,
                       const at::Tensor& context, const StepInfo& step);

  torch::nn::ModuleList resnets_list_{nullptr}, attentions_list_{nullptr};
  std::vector<ResnetBlock2D> resnets_;
  std::vector<Transformer2DModel> attentions_;
};

class DownBlockImpl : public UNetBlockImpl {
 public:
  DownBlockImpl(const BlockOptions& options, const AttentionSite& site);
  DownBlockOutput forward(const at::Tensor& hidden, const at::Tensor& temb, const at::Tensor& context,
                          const StepInfo& step);

  Downsample2D downsampler() const { return downsampler_; }

 private:
  Downsample2D downsampler_{nullptr};
};

class UpBlockImpl : public UNetBlockImpl {
 public:
  UpBlockImpl(const BlockOptions& options, const AttentionSite& site);
  // res_samples: the last num_resnets() skip connections of the down path, consumed from the back.
  at::Tensor forward(const at::Tensor& hidden, const std::vector<at::Tensor>& res_samples,
                     const at::Tensor& temb, const at::Tensor& context, const StepInfo& step,
                     const std::vector<std::int64_t>& upsample_size = {});

 private:
  Upsample2D upsampler_{nullptr};
};

// The class names diffusers uses; attention presence is the only difference in their layout.
class CrossAttnDownBlock2DImpl : public DownBlockImpl {
 public:
  using DownBlockImpl::DownBlockImpl;
};
class DownBlock2DImpl : public DownBlockImpl {
 public:
  using DownBlockImpl::DownBlockImpl;
};
class CrossAttnUpBlock2DImpl : public UpBlockImpl {
 public:
  using UpBlockImpl::UpBlockImpl;
};
class UpBlock2DImpl : public UpBlockImpl {
 public:
  using UpBlockImpl::UpBlockImpl;
};

class UNetMidBlock2DCrossAttnImpl : public UNetBlockImpl {
 public:
  // options.num_layers is the number of attention layers (1 in every SD model).
  UNetMidBlock2DCrossAttnImpl(const BlockOptions& options, const AttentionSite& site);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& temb, const at::Tensor& context,
                     const StepInfo& step);
};
TORCH_MODULE(UNetMidBlock2DCrossAttn);

}  // namespace storyscope
