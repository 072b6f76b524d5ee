#include "core/models/vae/vae_decoder.h"

#include <torch/nn.h>

namespace storyscope {

namespace {
constexpr double kEps = 1e-6;  // every norm of the VAE
}

VaeDecoderImpl::VaeDecoderImpl(const VAEConfig& c) {
  using namespace torch::nn;
  const std::vector<std::int64_t> rev(c.block_out_channels.rbegin(), c.block_out_channels.rend());
  conv_in = register_module("conv_in", Conv2d(Conv2dOptions(c.latent_channels, rev.front(), 3).padding(1)));
  // diffusers registers up_blocks before mid_block; keep its parameter order.
  up_blocks = register_module("up_blocks", ModuleList());
  mid_block = register_module("mid_block", VaeMidBlock2D(rev.front(), c.norm_num_groups, kEps, c.activation(),
                                                         c.mid_block_add_attention, "decoder.mid_block"));
  for (std::size_t i = 0; i < rev.size(); ++i) {
    VaeBlockOptions o;
    o.in_channels = i == 0 ? rev.front() : rev[i - 1];
    o.out_channels = rev[i];
    o.num_layers = c.layers_per_block + 1;
    o.groups = c.norm_num_groups;
    o.eps = kEps;
    o.act = c.activation();
    o.add_sampler = i + 1 < rev.size();
    up_list_.emplace_back(o);
    up_blocks->push_back(up_list_.back());
  }
  conv_norm_out =
      register_module("conv_norm_out", GroupNorm(GroupNormOptions(c.norm_num_groups, rev.back()).eps(kEps)));
  conv_out = register_module("conv_out", Conv2d(Conv2dOptions(rev.back(), c.out_channels, 3).padding(1)));
}

at::Tensor VaeDecoderImpl::forward(const at::Tensor& latents, const VaeTap& tap) {
  auto x = conv_in->forward(latents);
  if (tap) tap("decoder.conv_in", x);
  x = mid_block->forward(x);
  if (tap) tap("decoder.mid_block", x);
  for (std::size_t i = 0; i < up_list_.size(); ++i) {
    x = up_list_[i]->forward(x);
    if (tap) tap("decoder.up_blocks." + std::to_string(i), x);
  }
  // diffusers' conv_act is SiLU whatever act_fn says.
  x = conv_out->forward(at::silu(conv_norm_out->forward(x)));
  if (tap) tap("decoder.conv_out", x);
  return x;
}

}  // namespace storyscope
