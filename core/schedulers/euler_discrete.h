#pragma once
// Euler sampling over Karras-style sigmas, as diffusers' EulerDiscreteScheduler (no churn):
// float timesteps interpolated into the training sigmas, inputs scaled by 1/sqrt(sigma^2+1).
#include <optional>

#include "core/schedulers/scheduler.h"

namespace storyscope {

class EulerDiscreteScheduler : public Scheduler {
 public:
  explicit EulerDiscreteScheduler(SchedulerConfig config);
  std::string name() const override { return "EulerDiscreteScheduler"; }
  void set_timesteps(std::int64_t num_inference_steps) override;
  at::Tensor sigmas() const override { return sigmas_; }
  double init_noise_sigma() const override;
  at::Tensor scale_model_input(const at::Tensor& sample, double timestep) override;
  StepResult step(const at::Tensor& model_output, double timestep, const at::Tensor& sample,
                  const StepOptions& options = {}) override;
  void set_begin_index(std::int64_t index) override { begin_index_ = index; }
  at::Tensor add_noise(const at::Tensor& original, const at::Tensor& noise, double timestep) const override;

 private:
  std::int64_t index_for_timestep(double timestep) const;
  std::int64_t current_index(double timestep);
  at::Tensor sigmas_;  // float32 [steps + 1]
  std::optional<std::int64_t> step_index_, begin_index_;
};

}  // namespace storyscope
