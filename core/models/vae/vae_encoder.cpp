#include "core/models/vae/vae_encoder.h"

#include <torch/nn.h>

namespace storyscope {

namespace {
constexpr double kEps = 1e-6;  // every norm of the VAE
}

VaeEncoderImpl::VaeEncoderImpl(const VAEConfig& c) {
  using namespace torch::nn;
  const auto& ch = c.block_out_channels;
  conv_in = register_module("conv_in", Conv2d(Conv2dOptions(c.in_channels, ch.front(), 3).padding(1)));
  down_blocks = register_module("down_blocks", ModuleList());
  for (std::size_t i = 0; i < ch.size(); ++i) {
    VaeBlockOptions o;
    o.in_channels = i == 0 ? ch.front() : ch[i - 1];
    o.out_channels = ch[i];
    o.num_layers = c.layers_per_block;
    o.groups = c.norm_num_groups;
    o.eps = kEps;
    o.act = c.activation();
    o.add_sampler = i + 1 < ch.size();
    down_list_.emplace_back(o);
    down_blocks->push_back(down_list_.back());
  }
  mid_block = register_module("mid_block", VaeMidBlock2D(ch.back(), c.norm_num_groups, kEps, c.activation(),
                                                         c.mid_block_add_attention, "encoder.mid_block"));
  conv_norm_out =
      register_module("conv_norm_out", GroupNorm(GroupNormOptions(c.norm_num_groups, ch.back()).eps(kEps)));
  conv_out =
      register_module("conv_out", Conv2d(Conv2dOptions(ch.back(), 2 * c.latent_channels, 3).padding(1)));
}

at::Tensor VaeEncoderImpl::forward(const at::Tensor& image, const VaeTap& tap) {
  auto x = conv_in->forward(image);
  if (tap) tap("encoder.conv_in", x);
  for (std::size_t i = 0; i < down_list_.size(); ++i) {
    x = down_list_[i]->forward(x);
    if (tap) tap("encoder.down_blocks." + std::to_string(i), x);
  }
  x = mid_block->forward(x);
  if (tap) tap("encoder.mid_block", x);
  // diffusers' conv_act is SiLU whatever act_fn says.
  x = conv_out->forward(at::silu(conv_norm_out->forward(x)));
  if (tap) tap("encoder.conv_out", x);
  return x;
}

}  // namespace storyscope
