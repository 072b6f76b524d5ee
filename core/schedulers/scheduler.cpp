#include "core/schedulers/scheduler.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/common/error.h"
#include "core/schedulers/schedule_math.h"

namespace storyscope {

Scheduler::Scheduler(SchedulerConfig config) : config_(std::move(config)) {
  alphas_cumprod_ = schedule::alphas_cumprod(config_);
}

std::vector<double> Scheduler::timestep_values() const {
  if (!timesteps_.defined()) return {};
  return schedule::to_vector(timesteps_);
}

void Scheduler::fail(const std::string& location, const std::string& rule) const {
  throw_bad_input(config_.file, location, name() + ": " + rule);
}

void Scheduler::check_num_inference_steps(std::int64_t n) const {
  if (n < 1) fail("steps", "the number of inference steps must be at least 1, got " + std::to_string(n));
  if (n > config_.num_train_timesteps)
    fail("steps", "the number of inference steps (" + std::to_string(n) +
                      ") cannot exceed num_train_timesteps (" + std::to_string(config_.num_train_timesteps) +
                      ")");
}

std::int64_t Scheduler::train_index(double timestep) const {
  const double r = std::nearbyint(timestep);
  if (!(r == timestep) || r < 0 || r >= static_cast<double>(config_.num_train_timesteps))
    fail("timestep " + std::to_string(timestep),
         "expected an integer training timestep in [0, " + std::to_string(config_.num_train_timesteps) + ")");
  return static_cast<std::int64_t>(r);
}

at::Tensor Scheduler::variance_noise(const at::Tensor& like, const StepOptions& options) {
  if (options.variance_noise.defined()) {
    if (options.generator)
      throw_bad_input("", "step",
                      "pass either variance noise or a generator, not both (as diffusers requires)");
    if (!options.variance_noise.sizes().equals(like.sizes()))
      throw_bad_input("", "step", "variance noise must have the shape of the model output");
    return options.variance_noise.to(like.options());
  }
  const auto opts = like.options();
  if (options.generator) return at::randn(like.sizes(), *options.generator, opts);
  return at::randn(like.sizes(), opts);
}

at::Tensor Scheduler::add_noise(const at::Tensor& original, const at::Tensor& noise, double timestep) const {
  const at::Tensor ac = alphas_cumprod_.to(original.options())[train_index(timestep)];
  return ac.pow(0.5) * original + (1 - ac).pow(0.5) * noise;
}

}  // namespace storyscope
