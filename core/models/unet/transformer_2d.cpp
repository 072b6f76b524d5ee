#include "core/models/unet/transformer_2d.h"

#include <torch/nn.h>

#include "core/models/uninitialized.h"

namespace storyscope {

GEGLUImpl::GEGLUImpl(std::int64_t dim_in, std::int64_t dim_out) {
  proj = register_module("proj", uninitialized_linear(dim_in, dim_out * 2));
}

at::Tensor GEGLUImpl::forward(const at::Tensor& hidden) {
  auto parts = proj->forward(hidden).chunk(2, -1);
  return parts[0] * at::gelu(parts[1]);
}

FeedForwardImpl::FeedForwardImpl(std::int64_t dim, std::int64_t mult) {
  const std::int64_t inner = dim * mult;
  net = register_module("net", torch::nn::ModuleList());
  geglu_ = GEGLU(dim, inner);
  out_ = uninitialized_linear(inner, dim);
  net->push_back(geglu_);
  net->push_back(torch::nn::Dropout(0.0));
  net->push_back(out_);
}

at::Tensor FeedForwardImpl::forward(const at::Tensor& hidden) {
  return out_->forward(geglu_->forward(hidden));
}

namespace {
Attention make_attention(const TransformerOptions& o, const AttentionSite& site, const std::string& name,
                         bool cross) {
  AttentionOptions a;
  a.query_dim = o.heads * o.head_dim;
  if (cross) a.cross_attention_dim = o.cross_attention_dim;
  a.heads = o.heads;
  a.dim_head = o.head_dim;
  a.bias = false;
  a.out_bias = true;
  LayerInfo info;
  info.name = site.prefix + "." + name;
  info.place = site.place;
  info.block_index = site.block_index;
  info.is_cross = cross;
  info.heads = o.heads;
  info.height = site.nominal_height;
  info.width = site.nominal_width;
  return Attention(a, info);
}
}  // namespace

BasicTransformerBlockImpl::BasicTransformerBlockImpl(const TransformerOptions& o, const AttentionSite& site)
    : only_cross_attention_(o.only_cross_attention) {
  const std::int64_t dim = o.heads * o.head_dim;
  auto layer_norm = [&] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5)); };
  norm1 = register_module("norm1", layer_norm());
  attn1 = register_module("attn1", make_attention(o, site, "attn1", o.only_cross_attention));
  norm2 = register_module("norm2", layer_norm());
  attn2 = register_module("attn2", make_attention(o, site, "attn2", true));
  norm3 = register_module("norm3", layer_norm());
  ff = register_module("ff", FeedForward(dim));
}

at::Tensor BasicTransformerBlockImpl::forward(const at::Tensor& hidden_in, const at::Tensor& context,
                                              const StepInfo& step, std::int64_t height, std::int64_t width) {
  auto hidden = hidden_in;
  hidden = attn1->forward(norm1->forward(hidden), only_cross_attention_ ? context : at::Tensor(), step,
                          height, width) +
           hidden;
  hidden = attn2->forward(norm2->forward(hidden), context, step, height, width) + hidden;
  return ff->forward(norm3->forward(hidden)) + hidden;
}

Transformer2DModelImpl::Transformer2DModelImpl(const TransformerOptions& o, const AttentionSite& site)
    : options_(o) {
  const std::int64_t inner = o.heads * o.head_dim;
  norm = register_module(
      "norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.norm_num_groups, o.in_channels).eps(1e-6)));
  if (o.use_linear_projection)
    proj_in_linear = register_module("proj_in", uninitialized_linear(o.in_channels, inner));
  else
    proj_in_conv =
        register_module("proj_in", uninitialized_conv2d(torch::nn::Conv2dOptions(o.in_channels, inner, 1)));
  transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
  for (std::int64_t d = 0; d < o.num_layers; ++d) {
    AttentionSite child = site;
    child.prefix = site.prefix + ".transformer_blocks." + std::to_string(d);
    blocks_.push_back(BasicTransformerBlock(o, child));
    transformer_blocks->push_back(blocks_.back());
  }
  if (o.use_linear_projection)
    proj_out_linear = register_module("proj_out", uninitialized_linear(inner, o.in_channels));
  else
    proj_out_conv =
        register_module("proj_out", uninitialized_conv2d(torch::nn::Conv2dOptions(inner, o.in_channels, 1)));
}

at::Tensor Transformer2DModelImpl::forward(const at::Tensor& input, const at::Tensor& context,
                                           const StepInfo& step) {
  const auto b = input.size(0), h = input.size(2), w = input.size(3);
  auto hidden = norm->forward(input);
  // [B, C, H, W] -> [B, H*W, C]; the 1x1 conv runs before the flatten, the linear after it.
  if (proj_in_conv) hidden = proj_in_conv->forward(hidden);
  hidden = hidden.permute({0, 2, 3, 1}).reshape({b, h * w, hidden.size(1)});
  if (proj_in_linear) hidden = proj_in_linear->forward(hidden);
  for (auto& block : blocks_) hidden = block->forward(hidden, context, step, h, w);
  if (proj_out_linear) hidden = proj_out_linear->forward(hidden);
  hidden = hidden.reshape({b, h, w, hidden.size(2)}).permute({0, 3, 1, 2}).contiguous();
  if (proj_out_conv) hidden = proj_out_conv->forward(hidden);
  return hidden + input;
}

std::vector<Attention> Transformer2DModelImpl::attention_modules() const {
  std::vector<Attention> out;
  for (const auto& block : blocks_) {
    out.push_back(block->attn1);
    out.push_back(block->attn2);
  }
  return out;
}

}  // namespace storyscope
