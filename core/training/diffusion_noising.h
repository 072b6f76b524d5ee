#pragma once
// The forward diffusion process and per-step seeding shared by the trainers (the shapes-world
// trainer and the concept extractor): q(x_t | x_0) on a model's own beta schedule, the target a
// UNet of a given prediction type learns, and a per-step seed so a resumed run draws exactly
// what an uninterrupted one would have.
#include <ATen/Tensor.h>

#include <cstdint>
#include <string>

namespace storyscope {

// A splitmix64 mix of (seed, step) so neighbouring steps and neighbouring seeds give unrelated
// streams.
std::uint64_t step_seed(std::uint64_t seed, std::uint64_t step);

// x_t = sqrt(a_t) x_0 + sqrt(1 - a_t) eps with a_t = alphas_cumprod[t]; x0, eps [B, ...],
// timesteps int64 [B] on alphas_cumprod's device.
at::Tensor noisy_sample(const at::Tensor& alphas_cumprod, const at::Tensor& x0, const at::Tensor& eps,
                        const at::Tensor& timesteps);

// What the UNet predicts: eps for "epsilon", sqrt(a_t) eps - sqrt(1 - a_t) x_0 for
// "v_prediction" (diffusers' get_velocity). Throws Error(BadInput) naming `source` for any other
// prediction type.
at::Tensor diffusion_target(const std::string& prediction_type, const at::Tensor& alphas_cumprod,
                            const at::Tensor& x0, const at::Tensor& eps, const at::Tensor& timesteps,
                            const std::string& source);

}  // namespace storyscope
