#pragma once
// An IP-Adapter loaded from a .safetensors in the original tencent-ailab layout: image_proj.*
// (the basic projection's proj/norm, or the Plus Resampler's latents/proj_in/layers/...) and
// ip_adapter.{i}.to_k_ip/to_v_ip.weight, where i counts the UNet's attention processors in
// diffusers' attn_processors order (down blocks, up blocks, mid block; attn1 and attn2 alike),
// so the k-th cross-attention layer is 2k+1. Converted on load as diffusers'
// load_ip_adapter does; the token count comes from the weights.
#include <ATen/Tensor.h>

#include <memory>
#include <string>

#include "core/attention/ip_adapter_attention.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/models/vision/clip_vision_model.h"
#include "core/models/vision/image_projection.h"

namespace storyscope {

// What the image encoder gives an adapter for one image, and its unconditional counterpart.
struct IPAdapterImageEmbeds {
  at::Tensor positive;  // basic: image_embeds [1, D]; Plus: penultimate hidden states [1, S, D]
  at::Tensor negative;  // basic: zeros; Plus: the penultimate states of an all-zero pixel input
};

class IPAdapter {
 public:
  // Reads `path` and checks it against `unet`: unknown layouts, missing or surplus
  // ip_adapter indices and mis-shaped weights are Error(Model) naming the file and every key.
  // Weights move to the UNet's dtype and device.
  static std::shared_ptr<IPAdapter> load(const std::string& path, const UNet2DConditionModelImpl& unet);

  bool is_plus() const { return static_cast<bool>(plus_); }
  std::int64_t num_tokens() const;
  const std::string& source() const { return source_; }

  // Image features -> tokens [N, T, cross_attention_dim]: basic takes image_embeds [N, D] (or
  // [N, 1, D]), Plus takes hidden states [N, S, D] (or [N, 1, S, D]).
  at::Tensor project(const at::Tensor& image_embeds) const;
  // Runs the encoder on preprocessed pixel_values [1, 3, S, S] as diffusers' pipelines do.
  IPAdapterImageEmbeds encode_image(CLIPVisionModelWithProjectionImpl& encoder,
                                    const at::Tensor& pixel_values) const;

  // The attention modifier holding to_k_ip/to_v_ip per cross-attention layer.
  const std::shared_ptr<IPAdapterAttnModifier>& modifier() const { return modifier_; }

  ImageProjection basic_projection() const { return basic_; }
  IPAdapterPlusImageProjection plus_projection() const { return plus_; }

 private:
  std::string source_;
  ImageProjection basic_{nullptr};
  IPAdapterPlusImageProjection plus_{nullptr};
  std::shared_ptr<IPAdapterAttnModifier> modifier_;
};

}  // namespace storyscope
