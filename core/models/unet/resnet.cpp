#include "core/models/unet/resnet.h"

#include <torch/nn.h>

#include "core/models/unet/activations.h"
#include "core/models/uninitialized.h"

namespace storyscope {

namespace F = torch::nn::functional;

namespace {
torch::nn::Conv2d conv2d(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                         std::int64_t padding) {
  return uninitialized_conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(true));
}
}  // namespace

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetBlock2DOptions& o) : options_(o) {
  norm1 = register_module(
      "norm1", torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.groups, o.in_channels).eps(o.eps)));
  conv1 = register_module("conv1", conv2d(o.in_channels, o.out_channels, 3, 1, 1));
  if (o.temb_channels) {
    const std::int64_t proj_out =
        o.time_embedding_norm == "scale_shift" ? 2 * o.out_channels : o.out_channels;
    time_emb_proj = register_module("time_emb_proj", uninitialized_linear(*o.temb_channels, proj_out));
  }
  norm2 = register_module(
      "norm2", torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.groups, o.out_channels).eps(o.eps)));
  conv2 = register_module("conv2", conv2d(o.out_channels, o.out_channels, 3, 1, 1));
  if (o.in_channels != o.out_channels)
    conv_shortcut = register_module("conv_shortcut", conv2d(o.in_channels, o.out_channels, 1, 1, 0));
}

at::Tensor ResnetBlock2DImpl::forward(const at::Tensor& input, const at::Tensor& temb_in) {
  const auto& act = options_.non_linearity;
  auto hidden = conv1->forward(apply_activation(act, norm1->forward(input)));
  at::Tensor temb;
  if (time_emb_proj && temb_in.defined())
    temb = time_emb_proj->forward(apply_activation(act, temb_in)).unsqueeze(-1).unsqueeze(-1);
  if (options_.time_embedding_norm == "scale_shift" && temb.defined()) {
    auto parts = temb.chunk(2, 1);
    hidden = norm2->forward(hidden) * (1 + parts[0]) + parts[1];
  } else {
    if (temb.defined()) hidden = hidden + temb;
    hidden = norm2->forward(hidden);
  }
  hidden = conv2->forward(apply_activation(act, hidden));
  const at::Tensor shortcut = conv_shortcut ? conv_shortcut->forward(input) : input;
  auto out = shortcut + hidden;
  if (options_.output_scale_factor != 1.0) out = out / options_.output_scale_factor;
  return out;
}

Downsample2DImpl::Downsample2DImpl(std::int64_t channels, std::int64_t out_channels, std::int64_t padding)
    : padding_(padding) {
  conv = register_module("conv", conv2d(channels, out_channels, 3, 2, padding));
}

at::Tensor Downsample2DImpl::forward(const at::Tensor& hidden) {
  if (padding_ == 0) return conv->forward(at::constant_pad_nd(hidden, {0, 1, 0, 1}, 0));
  return conv->forward(hidden);
}

Upsample2DImpl::Upsample2DImpl(std::int64_t channels, std::int64_t out_channels) {
  conv = register_module("conv", conv2d(channels, out_channels, 3, 1, 1));
}

at::Tensor Upsample2DImpl::forward(const at::Tensor& hidden, const std::vector<std::int64_t>& output_size) {
  auto options = F::InterpolateFuncOptions().mode(torch::kNearest);
  if (output_size.empty())
    options.scale_factor(std::vector<double>{2.0, 2.0});
  else
    options.size(output_size);
  return conv->forward(F::interpolate(hidden, options));
}

}  // namespace storyscope
