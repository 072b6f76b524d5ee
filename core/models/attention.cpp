#include "core/models/attention.h"

#include <torch/nn.h>

#include <cmath>

#include "core/models/uninitialized.h"

namespace storyscope {

AttentionImpl::AttentionImpl(const AttentionOptions& options, LayerInfo info)
    : options_(options), info_(std::move(info)) {
  const std::int64_t inner = options.dim_head * options.heads;
  const std::int64_t kv_dim = options.cross_attention_dim.value_or(options.query_dim);
  if (options.norm_num_groups)
    group_norm = register_module(
        "group_norm",
        torch::nn::GroupNorm(torch::nn::GroupNormOptions(*options.norm_num_groups, options.query_dim)
                                 .eps(options.eps)
                                 .affine(true)));
  // Uninitialised: weights are always loaded or filled next (reset_linear_and_conv_parameters
  // initialises them for training from scratch).
  to_q = register_module("to_q", uninitialized_linear(options.query_dim, inner, options.bias));
  to_k = register_module("to_k", uninitialized_linear(kv_dim, inner, options.bias));
  to_v = register_module("to_v", uninitialized_linear(kv_dim, inner, options.bias));
  to_out = register_module("to_out", torch::nn::ModuleList());
  auto out_proj = uninitialized_linear(inner, options.query_dim, options.out_bias);
  to_out->push_back(out_proj);
  to_out->push_back(torch::nn::Dropout(0.0));
  info_.heads = options.heads;
  info_.is_cross = options.cross_attention_dim.has_value();
  projections_.to_q = to_q;
  projections_.to_k = to_k;
  projections_.to_v = to_v;
  projections_.to_out = out_proj;
  projections_.heads = options.heads;
  projections_.scale = 1.0 / std::sqrt(static_cast<double>(options.dim_head));
  processor_ = DefaultAttentionProcessor::shared();
}

void AttentionImpl::set_processor(AttentionProcessorPtr processor) {
  processor_ = processor ? std::move(processor) : DefaultAttentionProcessor::shared();
}

at::Tensor AttentionImpl::forward(const at::Tensor& hidden_in, const at::Tensor& context,
                                  const StepInfo& step, std::int64_t height, std::int64_t width) {
  at::Tensor hidden = hidden_in;
  const auto residual = hidden_in;
  const bool spatial = hidden.dim() == 4;
  std::int64_t b = 0, c = 0;
  if (spatial) {
    b = hidden.size(0);
    c = hidden.size(1);
    height = hidden.size(2);
    width = hidden.size(3);
    hidden = hidden.view({b, c, height * width}).transpose(1, 2);
  }
  if (group_norm) hidden = group_norm->forward(hidden.transpose(1, 2)).transpose(1, 2);
  LayerInfo info = info_;
  info.height = height;
  info.width = width;
  at::Tensor out = processor_->process(projections_, hidden, context, info, step);
  if (spatial) out = out.transpose(-1, -2).reshape({b, c, height, width});
  if (options_.residual_connection) out = out + residual;
  if (options_.rescale_output_factor != 1.0) out = out / options_.rescale_output_factor;
  return out;
}

std::vector<std::pair<std::string, Attention>> find_attention_modules(torch::nn::Module& root) {
  std::vector<std::pair<std::string, Attention>> out;
  for (const auto& item : root.named_modules("", /*include_self=*/false)) {
    if (auto attn = std::dynamic_pointer_cast<AttentionImpl>(item.value()))
      out.emplace_back(item.key(), Attention(attn));
  }
  return out;
}

}  // namespace storyscope
