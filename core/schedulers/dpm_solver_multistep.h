#pragma once
// DPM-Solver++ multistep (Lu et al. 2022), as diffusers' DPMSolverMultistepScheduler:
// data-prediction ("dpmsolver++") or its SDE variant, orders 1-3, midpoint or heun, lower-order
// final steps, final sigma zero or sigma_min, optional Karras or Lu lambdas.
#include <optional>
#include <vector>

#include "core/schedulers/scheduler.h"

namespace storyscope {

class DPMSolverMultistepScheduler : public Scheduler {
 public:
  explicit DPMSolverMultistepScheduler(SchedulerConfig config);
  std::string name() const override { return "DPMSolverMultistepScheduler"; }
  void set_timesteps(std::int64_t num_inference_steps) override;
  at::Tensor sigmas() const override { return sigmas_; }
  StepResult step(const at::Tensor& model_output, double timestep, const at::Tensor& sample,
                  const StepOptions& options = {}) override;
  void set_begin_index(std::int64_t index) override { begin_index_ = index; }
  at::Tensor add_noise(const at::Tensor& original, const at::Tensor& noise, double timestep) const override;

 private:
  std::int64_t index_for_timestep(double timestep) const;
  at::Tensor data_prediction(const at::Tensor& model_output, const at::Tensor& sample, std::int64_t i) const;
  at::Tensor first_order(const at::Tensor& x0, const at::Tensor& sample, const at::Tensor& noise,
                         std::int64_t i) const;
  at::Tensor second_order(const at::Tensor& sample, const at::Tensor& noise, std::int64_t i) const;
  at::Tensor third_order(const at::Tensor& sample, std::int64_t i) const;

  bool sde_ = false;
  at::Tensor lambda_t_;                    // float32 [num_train_timesteps]
  at::Tensor sigmas_;                      // float32 [steps + 1]
  std::vector<at::Tensor> model_outputs_;  // the last solver_order data predictions, oldest first
  std::int64_t lower_order_nums_ = 0;
  std::optional<std::int64_t> step_index_, begin_index_;
};

}  // namespace storyscope
