#pragma once
// DDPM ancestral sampling (Ho et al. 2020), as diffusers' DDPMScheduler with the fixed
// variance types; the variance noise of each step is injectable for reproducible runs.
#include "core/schedulers/scheduler.h"

namespace storyscope {

class DDPMScheduler : public Scheduler {
 public:
  explicit DDPMScheduler(SchedulerConfig config);
  std::string name() const override { return "DDPMScheduler"; }
  void set_timesteps(std::int64_t num_inference_steps) override;
  StepResult step(const at::Tensor& model_output, double timestep, const at::Tensor& sample,
                  const StepOptions& options = {}) override;

 private:
  std::int64_t previous_timestep(std::int64_t t) const;
  std::string variance_type_;
};

}  // namespace storyscope
