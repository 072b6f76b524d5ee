#pragma once
// diffusers' timestep embeddings (models/embeddings.py): the sinusoidal `Timesteps` projection
// and the `TimestepEmbedding` MLP (linear_1, act, linear_2).
#include <ATen/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <string>

namespace storyscope {

// get_timestep_embedding: timesteps [N] (any numeric dtype) -> [N, dim] float32. Computed in
// float32 exactly like diffusers (exp(-ln(max_period) * arange(half) / (half - shift))), since
// the reference does so even in its float64 runs.
at::Tensor timestep_embedding(const at::Tensor& timesteps, std::int64_t dim, bool flip_sin_to_cos,
                              double downscale_freq_shift, double scale = 1.0, double max_period = 10000.0);

class TimestepsImpl : public torch::nn::Module {
 public:
  TimestepsImpl(std::int64_t num_channels, bool flip_sin_to_cos, double downscale_freq_shift);
  at::Tensor forward(const at::Tensor& timesteps) const;
  std::int64_t num_channels() const { return num_channels_; }

 private:
  std::int64_t num_channels_;
  bool flip_sin_to_cos_;
  double shift_;
};
TORCH_MODULE(Timesteps);

class TimestepEmbeddingImpl : public torch::nn::Module {
 public:
  TimestepEmbeddingImpl(std::int64_t in_channels, std::int64_t time_embed_dim, std::string act_fn);
  at::Tensor forward(const at::Tensor& sample);

  torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};

 private:
  std::string act_fn_;
};
TORCH_MODULE(TimestepEmbedding);

}  // namespace storyscope
