#include "core/models/vae/vae_blocks.h"

#include <torch/nn.h>

namespace storyscope {

namespace {
std::vector<VaeResnetBlock2D> make_resnets(torch::nn::ModuleList& list, const VaeBlockOptions& o) {
  std::vector<VaeResnetBlock2D> out;
  for (std::int64_t i = 0; i < o.num_layers; ++i) {
    VaeResnetOptions r;
    r.in_channels = i == 0 ? o.in_channels : o.out_channels;
    r.out_channels = o.out_channels;
    r.groups = o.groups;
    r.eps = o.eps;
    r.act = o.act;
    out.emplace_back(r);
    list->push_back(out.back());
  }
  return out;
}
}  // namespace

VaeDownsample2DImpl::VaeDownsample2DImpl(std::int64_t channels, std::int64_t padding) : padding_(padding) {
  conv = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).stride(2).padding(padding)));
}

at::Tensor VaeDownsample2DImpl::forward(const at::Tensor& x) {
  if (padding_ == 0) return conv->forward(at::constant_pad_nd(x, {0, 1, 0, 1}, 0));
  return conv->forward(x);
}

VaeUpsample2DImpl::VaeUpsample2DImpl(std::int64_t channels) {
  conv =
      register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
}

at::Tensor VaeUpsample2DImpl::forward(const at::Tensor& x) {
  // As diffusers: nearest upsampling has no bfloat16 kernel on older torch builds.
  const bool bf16 = x.scalar_type() == at::kBFloat16;
  auto h = bf16 ? x.to(at::kFloat) : x;
  if (h.size(0) >= 64) h = h.contiguous();
  h = torch::nn::functional::interpolate(h, torch::nn::functional::InterpolateFuncOptions()
                                                .scale_factor(std::vector<double>{2.0, 2.0})
                                                .mode(torch::kNearest));
  if (bf16) h = h.to(at::kBFloat16);
  return conv->forward(h);
}

VaeDownEncoderBlock2DImpl::VaeDownEncoderBlock2DImpl(const VaeBlockOptions& o) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  resnet_list_ = make_resnets(resnets, o);
  if (o.add_sampler) {
    downsamplers = register_module("downsamplers", torch::nn::ModuleList());
    downsampler_ = VaeDownsample2D(o.out_channels, /*padding=*/0);
    downsamplers->push_back(downsampler_);
  }
}

at::Tensor VaeDownEncoderBlock2DImpl::forward(at::Tensor x) {
  for (auto& r : resnet_list_) x = r->forward(x);
  if (downsampler_) x = downsampler_->forward(x);
  return x;
}

VaeUpDecoderBlock2DImpl::VaeUpDecoderBlock2DImpl(const VaeBlockOptions& o) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  resnet_list_ = make_resnets(resnets, o);
  if (o.add_sampler) {
    upsamplers = register_module("upsamplers", torch::nn::ModuleList());
    upsampler_ = VaeUpsample2D(o.out_channels);
    upsamplers->push_back(upsampler_);
  }
}

at::Tensor VaeUpDecoderBlock2DImpl::forward(at::Tensor x) {
  for (auto& r : resnet_list_) x = r->forward(x);
  if (upsampler_) x = upsampler_->forward(x);
  return x;
}

VaeMidBlock2DImpl::VaeMidBlock2DImpl(std::int64_t channels, std::int64_t groups, double eps,
                                     VaeActivation act, bool add_attention, const std::string& name) {
  VaeBlockOptions o;
  o.in_channels = channels;
  o.out_channels = channels;
  o.num_layers = 2;
  o.groups = groups;
  o.eps = eps;
  o.act = act;
  resnets = register_module("resnets", torch::nn::ModuleList());
  resnet_list_ = make_resnets(resnets, o);
  if (add_attention) {
    AttentionOptions a;
    a.query_dim = channels;
    a.heads = 1;  // heads = channels / attention_head_dim, and attention_head_dim = channels
    a.dim_head = channels;
    a.bias = true;
    a.out_bias = true;
    a.norm_num_groups = static_cast<int>(groups);
    a.eps = eps;
    a.residual_connection = true;
    LayerInfo info;
    info.name = name + ".attentions.0";
    info.place = Place::Mid;
    info.block_index = 0;
    attentions = register_module("attentions", torch::nn::ModuleList());
    attention_ = Attention(a, info);
    attentions->push_back(attention_);
  }
}

at::Tensor VaeMidBlock2DImpl::forward(at::Tensor x) {
  x = resnet_list_[0]->forward(x);
  if (attention_) x = attention_->forward(x);
  return resnet_list_[1]->forward(x);
}

}  // namespace storyscope
