#pragma once
// IP-Adapter's decoupled cross-attention (diffusers' IPAdapterAttnProcessor, classic path) as
// an AttentionModifier: in every cross-attention layer that has adapter weights,
//   out = to_out( softmax(q k^T s) v  +  scale * softmax(q k_ip^T s) v_ip )
// with k_ip = to_k_ip(image tokens), v_ip = to_v_ip(image tokens), sharing the query (after
// any other modifier) and to_out. The image branch reaches observers through observe_added()
// (keys "ip_image"), so the AttentionStore records how each pixel attends to the image tokens
// beside the words. Other layers, and every layer while no tokens are set, run unchanged.
#include <ATen/Tensor.h>

#include <map>
#include <string>
#include <utility>

#include "core/attention/composable_processor.h"

namespace storyscope {

constexpr const char* kIpImageKeys = "ip_image";

// One cross-attention layer's adapter projections (bias-free Linear weights [inner, D_tokens]).
struct IPAdapterLayerWeights {
  at::Tensor to_k_ip, to_v_ip;
};

class IPAdapterAttnModifier : public AttentionModifier {
 public:
  // weights: by layer name ("down_blocks.0.attentions.0.transformer_blocks.0.attn2").
  explicit IPAdapterAttnModifier(std::map<std::string, IPAdapterLayerWeights> weights, double scale = 1.0);

  // tokens: [R, T, D] image tokens, one row per UNet batch row ([negative; positive] under
  // CFG, like the context) or R = 1 for all rows; undefined turns the adapter off.
  void set_image_tokens(const at::Tensor& tokens);
  const at::Tensor& image_tokens() const { return tokens_; }
  // Scale of the image branch (diffusers' set_ip_adapter_scale); 0 leaves the output unchanged.
  void set_scale(double scale) { scale_ = scale; }
  double scale() const { return scale_; }
  const std::map<std::string, IPAdapterLayerWeights>& weights() const { return weights_; }

  AddedAttention added_attention(const AttentionProjections& attn, const at::Tensor& hidden,
                                 const at::Tensor& context, const LayerInfo& layer, const StepInfo& step,
                                 const AttentionTensors& t, bool want_probs) override;

 private:
  std::map<std::string, IPAdapterLayerWeights> weights_;
  double scale_;
  at::Tensor tokens_;
};

}  // namespace storyscope
