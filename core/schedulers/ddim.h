#pragma once
// DDIM (Song et al. 2020), as diffusers' DDIMScheduler: epsilon / v / sample prediction,
// eta-controlled noise, leading / linspace / trailing spacing, optional x0 clipping.
#include "core/schedulers/scheduler.h"

namespace storyscope {

class DDIMScheduler : public Scheduler {
 public:
  explicit DDIMScheduler(SchedulerConfig config);
  std::string name() const override { return "DDIMScheduler"; }
  void set_timesteps(std::int64_t num_inference_steps) override;
  StepResult step(const at::Tensor& model_output, double timestep, const at::Tensor& sample,
                  const StepOptions& options = {}) override;

 private:
  at::Tensor alpha_prod_prev(std::int64_t prev_timestep) const;
  at::Tensor final_alpha_cumprod_;
};

}  // namespace storyscope
