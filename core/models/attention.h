#pragma once
// diffusers' `Attention` module (models/attention_processor.py): to_q/to_k/to_v/to_out.0
// with optional group norm and residual (the VAE's mid-block form). The arithmetic between the
// projections is delegated to an AttentionProcessor chosen per layer.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <optional>

#include "core/attention/processor.h"

namespace storyscope {

struct AttentionOptions {
  std::int64_t query_dim = 0;
  std::optional<std::int64_t> cross_attention_dim;  // none: self-attention
  int heads = 8;
  std::int64_t dim_head = 64;
  bool bias = false;                   // to_q/to_k/to_v bias
  bool out_bias = true;                // to_out.0 bias
  std::optional<int> norm_num_groups;  // group_norm before attention (VAE)
  double eps = 1e-5;
  bool residual_connection = false;
  double rescale_output_factor = 1.0;
};

class AttentionImpl : public torch::nn::Module {
 public:
  // `info` carries the layer's name, place, block and self/cross; the spatial size is filled
  // per call.
  AttentionImpl(const AttentionOptions& options, LayerInfo info);

  // hidden: [B, N, C] (height/width give the query grid) or [B, C, H, W].
  // context: [B, M, Cc] for cross-attention; undefined for self-attention.
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& context = {}, const StepInfo& step = {},
                     std::int64_t height = 0, std::int64_t width = 0);

  void set_processor(AttentionProcessorPtr processor);
  const AttentionProcessorPtr& processor() const { return processor_; }
  const LayerInfo& layer_info() const { return info_; }
  LayerInfo& layer_info() { return info_; }
  const AttentionProjections& projections() const { return projections_; }

  torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  torch::nn::ModuleList to_out{nullptr};
  torch::nn::GroupNorm group_norm{nullptr};

 private:
  AttentionOptions options_;
  LayerInfo info_;
  AttentionProjections projections_;
  AttentionProcessorPtr processor_;
};
TORCH_MODULE(Attention);

// Every Attention inside `root`, keyed by full module path (e.g.
// "mid_block.attentions.0.transformer_blocks.0.attn2").
std::vector<std::pair<std::string, Attention>> find_attention_modules(torch::nn::Module& root);

}  // namespace storyscope
