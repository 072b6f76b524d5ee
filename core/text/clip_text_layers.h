#pragma once
// The building blocks of transformers' CLIP text transformer (modeling_clip.py), named as there
// so state-dict keys match checkpoints: embeddings, self-attention, MLP, encoder layer, encoder.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "core/config/clip_text_config.h"

namespace storyscope {

// token_embedding + position_embedding. transformers' position_ids buffer is non-persistent
// (not in checkpoints since 4.31), so positions are made per call instead of registered.
class ClipTextEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit ClipTextEmbeddingsImpl(const ClipTextConfig& config);
  at::Tensor forward(const at::Tensor& input_ids);  // [B, N] -> [B, N, D]

  torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
};
TORCH_MODULE(ClipTextEmbeddings);

// CLIPAttention, eager path: softmax(q*scale @ k^T + mask) @ v with biased projections.
class ClipAttentionImpl : public torch::nn::Module {
 public:
  explicit ClipAttentionImpl(const ClipTextConfig& config);
  // hidden [B, N, D]; additive mask broadcastable to [B, heads, N, N] (e.g. causal [N, N]).
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};

 private:
  std::int64_t heads_, head_dim_;
  double scale_;
};
TORCH_MODULE(ClipAttention);

class ClipMlpImpl : public torch::nn::Module {
 public:
  explicit ClipMlpImpl(const ClipTextConfig& config);
  at::Tensor forward(const at::Tensor& hidden);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr};

 private:
  ClipActivation activation_;
};
TORCH_MODULE(ClipMlp);

at::Tensor clip_activation(const at::Tensor& x, ClipActivation activation);

// Pre-norm residual block: x + attn(ln1(x)), then x + mlp(ln2(x)).
class ClipEncoderLayerImpl : public torch::nn::Module {
 public:
  explicit ClipEncoderLayerImpl(const ClipTextConfig& config);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& additive_mask);

  ClipAttention self_attn{nullptr};
  torch::nn::LayerNorm layer_norm1{nullptr};
  ClipMlp mlp{nullptr};
  torch::nn::LayerNorm layer_norm2{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

// Holds `layers` only; the text transformer walks them so it can keep just the states it needs.
class ClipEncoderImpl : public torch::nn::Module {
 public:
  explicit ClipEncoderImpl(const ClipTextConfig& config);
  ClipEncoderLayer layer(std::size_t i) const;
  std::size_t size() const { return layers->size(); }

  torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(ClipEncoder);

}  // namespace storyscope
