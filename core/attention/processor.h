#pragma once
// Attention processors, as in diffusers' set_attn_processor: every attention module hands its
// projections and inputs to a processor chosen per layer, so capturing maps (AttentionStore),
// changing keys/values (IPCA, IP-Adapter) or swapping kernels never touches model code.
#include <ATen/Tensor.h>
#include <torch/nn/modules/linear.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/attention/layer_info.h"

namespace storyscope {

// The weights of one diffusers `Attention` module, as a processor sees them.
struct AttentionProjections {
  // mutable: calling a Linear is not const in LibTorch, but a processor never changes weights.
  mutable torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr}, to_out{nullptr};
  int heads = 1;
  double scale = 1.0;  // head_dim^-0.5 unless the config says otherwise
};

class AttentionProcessor {
 public:
  virtual ~AttentionProcessor() = default;
  // hidden: [B, N, C]; context: [B, M, Cc] for cross-attention, undefined for self-attention.
  // Returns the module output [B, N, C] (after to_out).
  virtual at::Tensor process(const AttentionProjections& attn, const at::Tensor& hidden,
                             const at::Tensor& context, const LayerInfo& layer, const StepInfo& step) = 0;
};

using AttentionProcessorPtr = std::shared_ptr<AttentionProcessor>;

// q, k, v: [B, heads, N|M, d]. Softmax attention without materialising more than
// `query_chunk` rows of probabilities at a time (SDPA on LibTorch >= 2.1 when there is no bias).
// bias: undefined, or an additive logit bias broadcastable to [B, heads, N, M] (-inf masks),
// added as diffusers adds an attention mask (baddbmm with beta 1).
at::Tensor attention_kernel(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                            std::int64_t query_chunk = 1024, const at::Tensor& bias = {});

// [B, N, heads*d] <-> [B, heads, N, d]
at::Tensor split_heads(const at::Tensor& x, int heads);
at::Tensor merge_heads(const at::Tensor& x);

// The plain processor: project, attend, project out. Stateless; one instance serves all layers.
class DefaultAttentionProcessor : public AttentionProcessor {
 public:
  at::Tensor process(const AttentionProjections& attn, const at::Tensor& hidden, const at::Tensor& context,
                     const LayerInfo& layer, const StepInfo& step) override;
  static AttentionProcessorPtr shared();
};

}  // namespace storyscope
