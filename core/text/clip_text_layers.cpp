#include "core/text/clip_text_layers.h"

#include <torch/nn.h>

#include <cmath>
#include <string>

namespace storyscope {

namespace nn = torch::nn;

ClipTextEmbeddingsImpl::ClipTextEmbeddingsImpl(const ClipTextConfig& c) {
  token_embedding = register_module("token_embedding", nn::Embedding(c.vocab_size, c.hidden_size));
  position_embedding =
      register_module("position_embedding", nn::Embedding(c.max_position_embeddings, c.hidden_size));
}

at::Tensor ClipTextEmbeddingsImpl::forward(const at::Tensor& input_ids) {
  const auto n = input_ids.size(1);
  const auto positions = at::arange(n, at::TensorOptions().dtype(at::kLong).device(input_ids.device()));
  // [B, N, D] + [N, D]: the same broadcast as transformers' [1, N, D] positions.
  return token_embedding->forward(input_ids) + position_embedding->forward(positions);
}

ClipAttentionImpl::ClipAttentionImpl(const ClipTextConfig& c)
    : heads_(c.num_attention_heads), head_dim_(c.head_dim()), scale_(std::pow(double(c.head_dim()), -0.5)) {
  const auto d = c.hidden_size;
  q_proj = register_module("q_proj", nn::Linear(d, d));
  k_proj = register_module("k_proj", nn::Linear(d, d));
  v_proj = register_module("v_proj", nn::Linear(d, d));
  out_proj = register_module("out_proj", nn::Linear(d, d));
}

at::Tensor ClipAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  const auto b = hidden.size(0), n = hidden.size(1), d = hidden.size(2);
  auto to_heads = [&](const at::Tensor& x) {
    return x.view({b, n, heads_, head_dim_}).transpose(1, 2).reshape({b * heads_, n, head_dim_});
  };
  // Same order as transformers (scale the query before the product) so rounding matches.
  const auto q = to_heads(q_proj->forward(hidden) * scale_);
  const auto k = to_heads(k_proj->forward(hidden));
  const auto v = to_heads(v_proj->forward(hidden));
  auto scores = at::bmm(q, k.transpose(1, 2));
  if (additive_mask.defined())
    scores = (scores.view({b, heads_, n, n}) + additive_mask).view({b * heads_, n, n});
  const auto probs = at::softmax(scores, -1);
  const auto out = at::bmm(probs, v).view({b, heads_, n, head_dim_}).transpose(1, 2).reshape({b, n, d});
  return out_proj->forward(out);
}

at::Tensor clip_activation(const at::Tensor& x, ClipActivation activation) {
  switch (activation) {
    case ClipActivation::QuickGelu:
      return x * at::sigmoid(x * 1.702);
    case ClipActivation::Gelu:
      return at::gelu(x);
    case ClipActivation::GeluNew: {
      const double k = std::sqrt(2.0 / 3.14159265358979323846);
      return 0.5 * x * (1.0 + at::tanh(k * (x + 0.044715 * at::pow(x, 3.0))));
    }
    case ClipActivation::GeluPytorchTanh:
      return at::gelu(x, "tanh");
  }
  return x;
}

ClipMlpImpl::ClipMlpImpl(const ClipTextConfig& c) : activation_(c.activation()) {
  fc1 = register_module("fc1", nn::Linear(c.hidden_size, c.intermediate_size));
  fc2 = register_module("fc2", nn::Linear(c.intermediate_size, c.hidden_size));
}

at::Tensor ClipMlpImpl::forward(const at::Tensor& hidden) {
  return fc2->forward(clip_activation(fc1->forward(hidden), activation_));
}

ClipEncoderLayerImpl::ClipEncoderLayerImpl(const ClipTextConfig& c) {
  const auto norm = nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps);
  self_attn = register_module("self_attn", ClipAttention(c));
  layer_norm1 = register_module("layer_norm1", nn::LayerNorm(norm));
  mlp = register_module("mlp", ClipMlp(c));
  layer_norm2 = register_module("layer_norm2", nn::LayerNorm(norm));
}

at::Tensor ClipEncoderLayerImpl::forward(const at::Tensor& hidden, const at::Tensor& additive_mask) {
  auto h = hidden + self_attn->forward(layer_norm1->forward(hidden), additive_mask);
  return h + mlp->forward(layer_norm2->forward(h));
}

ClipEncoderImpl::ClipEncoderImpl(const ClipTextConfig& c) {
  layers = register_module("layers", nn::ModuleList());
  for (std::int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(ClipEncoderLayer(c));
}

ClipEncoderLayer ClipEncoderImpl::layer(std::size_t i) const {
  return ClipEncoderLayer(layers->ptr<ClipEncoderLayerImpl>(i));
}

}  // namespace storyscope
