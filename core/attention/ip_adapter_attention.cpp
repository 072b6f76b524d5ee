#include "core/attention/ip_adapter_attention.h"

#include <ATen/ATen.h>

#include "core/common/error.h"

namespace storyscope {

IPAdapterAttnModifier::IPAdapterAttnModifier(std::map<std::string, IPAdapterLayerWeights> weights,
                                             double scale)
    : weights_(std::move(weights)), scale_(scale) {}

void IPAdapterAttnModifier::set_image_tokens(const at::Tensor& tokens) {
  if (tokens.defined() && tokens.dim() != 3)
    throw_bad_input("IP-Adapter", "image_tokens",
                    "must be [rows, tokens, dim], got " + std::to_string(tokens.dim()) + " dimensions");
  tokens_ = tokens;
}

AddedAttention IPAdapterAttnModifier::added_attention(const AttentionProjections& attn,
                                                      const at::Tensor& hidden, const at::Tensor&,
                                                      const LayerInfo& layer, const StepInfo&,
                                                      const AttentionTensors& t, bool want_probs) {
  AddedAttention added;
  added.weight = scale_;
  added.keys = kIpImageKeys;
  if (!layer.is_cross || !tokens_.defined() || (scale_ == 0.0 && !want_probs)) return added;
  const auto found = weights_.find(layer.name);
  if (found == weights_.end()) return added;
  const auto rows = hidden.size(0);
  if (tokens_.size(0) != 1 && tokens_.size(0) != rows)
    throw_bad_input("IP-Adapter", "image_tokens",
                    "has " + std::to_string(tokens_.size(0)) + " rows but the UNet batch has " +
                        std::to_string(rows) + " at " + layer.name);
  const at::Tensor tokens = tokens_.to(hidden.device(), hidden.scalar_type()).expand({rows, -1, -1});
  const at::Tensor k_ip = split_heads(at::linear(tokens, found->second.to_k_ip), attn.heads);
  const at::Tensor v_ip = split_heads(at::linear(tokens, found->second.to_v_ip), attn.heads);
  // diffusers' classic arithmetic: materialised probabilities, then bmm.
  const at::Tensor probs = attention_probabilities(t.q, k_ip, attn.scale);
  added.output = merge_heads(at::matmul(probs, v_ip)) * scale_;
  if (want_probs) added.probs = probs;
  return added;
}

}  // namespace storyscope
