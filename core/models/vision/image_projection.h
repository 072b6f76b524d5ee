#pragma once
// The image projections of IP-Adapter, as diffusers names them (models/embeddings.py) after
// converting the original tencent-ailab checkpoints: CLIP image features -> image tokens in the
// UNet's cross-attention space.
#include <ATen/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cstdint>

#include "core/models/attention.h"

namespace storyscope {

// ImageProjection (basic IP-Adapter): tokens = norm(image_embeds(x).reshape(N, T, C)).
class ImageProjectionImpl : public torch::nn::Module {
 public:
  ImageProjectionImpl(std::int64_t image_embed_dim, std::int64_t cross_attention_dim,
                      std::int64_t num_tokens);
  at::Tensor forward(const at::Tensor& image_embeds);  // [N, D] -> [N, T, C]
  std::int64_t num_tokens() const { return num_tokens_; }

  torch::nn::Linear image_embeds{nullptr};
  torch::nn::LayerNorm norm{nullptr};

 private:
  std::int64_t num_tokens_;
};
TORCH_MODULE(ImageProjection);

struct ResamplerOptions {
  std::int64_t embed_dims = 768;    // width of the image encoder's hidden states
  std::int64_t output_dims = 1024;  // the UNet's cross_attention_dim
  std::int64_t hidden_dims = 1280;
  std::int64_t depth = 4;
  std::int64_t dim_head = 64;
  std::int64_t heads = 16;
  std::int64_t num_queries = 8;  // image tokens
  std::int64_t ffn_ratio = 4;
};

// diffusers' FeedForward(activation_fn="gelu", bias=False): net.0.proj, exact GELU, net.2.
class ResamplerFeedForwardImpl : public torch::nn::Module {
 public:
  ResamplerFeedForwardImpl(std::int64_t dim, std::int64_t inner_dim);
  at::Tensor forward(const at::Tensor& x);
  torch::nn::ModuleList net{nullptr};

 private:
  torch::nn::Linear proj_{nullptr}, out_{nullptr};
};
TORCH_MODULE(ResamplerFeedForward);

// IPAdapterPlusImageProjection (the Perceiver "Resampler" of IP-Adapter Plus). Each of the
// `depth` layers is layers.i.{0: LayerNorm of the features, 1: LayerNorm of the latents,
// 2: Attention (to_q, to_k, to_v, to_out.0, no biases), 3: {0: LayerNorm, 1: FeedForward}}:
//   kv = cat(ln0(x), ln1(latents)); latents = attn(ln1(latents), kv) + latents;
//   latents = ff(latents) + latents; output norm_out(proj_out(latents)).
class IPAdapterPlusImageProjectionImpl : public torch::nn::Module {
 public:
  explicit IPAdapterPlusImageProjectionImpl(const ResamplerOptions& options);
  at::Tensor forward(const at::Tensor& image_states);  // [N, S, embed_dims] -> [N, num_queries, output_dims]
  std::int64_t num_tokens() const { return options_.num_queries; }
  const ResamplerOptions& options() const { return options_; }

  at::Tensor latents;  // [1, num_queries, hidden_dims]
  torch::nn::Linear proj_in{nullptr}, proj_out{nullptr};
  torch::nn::LayerNorm norm_out{nullptr};
  torch::nn::ModuleList layers{nullptr};

 private:
  ResamplerOptions options_;
};
TORCH_MODULE(IPAdapterPlusImageProjection);

}  // namespace storyscope
