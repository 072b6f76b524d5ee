#pragma once
// The sampler interface every denoising loop drives, following diffusers' schedulers (0.27):
// set_timesteps, then per timestep scale_model_input -> model -> step. Stochastic steps take
// their noise from the caller (a tensor, or a seeded generator) so runs are reproducible.
#include <ATen/Tensor.h>
#include <ATen/core/Generator.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/scheduler_config.h"

namespace storyscope {

struct StepOptions {
  // DDIM's eta (0 = deterministic DDIM, 1 = DDPM-like); other schedulers ignore it, as
  // diffusers pipelines pass eta only to schedulers whose step accepts it.
  double eta = 0.0;
  // Noise for the stochastic part of a step (DDIM eta > 0, DDPM). At most one of the two;
  // with neither, the global LibTorch generator is used.
  at::Tensor variance_noise;
  std::optional<at::Generator> generator;
};

struct StepResult {
  at::Tensor prev_sample;
  at::Tensor pred_original_sample;  // predicted x0 (for previews); always set
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerConfig config);
  virtual ~Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // The diffusers class name ("DDIMScheduler", ...).
  virtual std::string name() const = 0;
  const SchedulerConfig& config() const { return config_; }

  // Throws Error(BadInput) for steps < 1 or steps > num_train_timesteps.
  virtual void set_timesteps(std::int64_t num_inference_steps) = 0;
  std::int64_t num_inference_steps() const { return num_inference_steps_; }
  // int64 (DDIM, DDPM, DPM-Solver) or float32 (Euler), as in diffusers.
  const at::Tensor& timesteps() const { return timesteps_; }
  std::vector<double> timestep_values() const;
  // float32 [steps + 1] (last is the final sigma) for sigma-based schedulers; undefined otherwise.
  virtual at::Tensor sigmas() const { return {}; }
  virtual double init_noise_sigma() const { return 1.0; }

  virtual at::Tensor scale_model_input(const at::Tensor& sample, double timestep) { return sample; }
  virtual StepResult step(const at::Tensor& model_output, double timestep, const at::Tensor& sample,
                          const StepOptions& options = {}) = 0;
  // Sigma-based schedulers find their place in the schedule from the first timestep they
  // see; img2img, which starts part-way, sets it here instead (diffusers' set_begin_index).
  virtual void set_begin_index(std::int64_t index) {}
  // Noises `original` to the level of `timestep` (img2img / inpainting).
  virtual at::Tensor add_noise(const at::Tensor& original, const at::Tensor& noise, double timestep) const;

  // float32 [num_train_timesteps].
  const at::Tensor& alphas_cumprod() const { return alphas_cumprod_; }

 protected:
  void check_num_inference_steps(std::int64_t n) const;
  [[noreturn]] void fail(const std::string& location, const std::string& rule) const;
  // An index into alphas_cumprod; throws unless `timestep` is an integer in range.
  std::int64_t train_index(double timestep) const;
  // Noise for a stochastic step, from the options or the generator.
  static at::Tensor variance_noise(const at::Tensor& like, const StepOptions& options);

  SchedulerConfig config_;
  at::Tensor alphas_cumprod_;
  at::Tensor timesteps_;
  std::int64_t num_inference_steps_ = 0;
};

}  // namespace storyscope
