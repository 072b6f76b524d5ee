#include "core/models/unet/embeddings.h"

#include <torch/nn.h>

#include <cmath>

#include "core/models/unet/activations.h"
#include "core/models/uninitialized.h"

namespace storyscope {

at::Tensor timestep_embedding(const at::Tensor& timesteps, std::int64_t dim, bool flip_sin_to_cos,
                              double downscale_freq_shift, double scale, double max_period) {
  const std::int64_t half = dim / 2;
  // Same op sequence as diffusers: float32 arange times a Python scalar, divided by a scalar,
  // then exp; any reordering changes the last bits of the frequencies.
  auto exponent = at::arange(0, half, timesteps.options().dtype(at::kFloat)) * (-std::log(max_period));
  exponent = exponent / (static_cast<double>(half) - downscale_freq_shift);
  auto freqs = exponent.exp();
  auto emb = timesteps.reshape({-1, 1}).to(at::kFloat) * freqs.unsqueeze(0);
  if (scale != 1.0) emb = emb * scale;
  emb = at::cat({emb.sin(), emb.cos()}, -1);
  if (flip_sin_to_cos) emb = at::cat({emb.slice(1, half), emb.slice(1, 0, half)}, -1);
  if (dim % 2 == 1) emb = at::constant_pad_nd(emb, {0, 1, 0, 0});
  return emb;
}

TimestepsImpl::TimestepsImpl(std::int64_t num_channels, bool flip_sin_to_cos, double downscale_freq_shift)
    : num_channels_(num_channels), flip_sin_to_cos_(flip_sin_to_cos), shift_(downscale_freq_shift) {}

at::Tensor TimestepsImpl::forward(const at::Tensor& timesteps) const {
  return timestep_embedding(timesteps, num_channels_, flip_sin_to_cos_, shift_);
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(std::int64_t in_channels, std::int64_t time_embed_dim,
                                             std::string act_fn)
    : act_fn_(std::move(act_fn)) {
  linear_1 = register_module("linear_1", uninitialized_linear(in_channels, time_embed_dim));
  linear_2 = register_module("linear_2", uninitialized_linear(time_embed_dim, time_embed_dim));
}

at::Tensor TimestepEmbeddingImpl::forward(const at::Tensor& sample) {
  return linear_2->forward(apply_activation(act_fn_, linear_1->forward(sample)));
}

}  // namespace storyscope
