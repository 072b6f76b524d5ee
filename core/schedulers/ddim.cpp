#include "core/schedulers/ddim.h"

#include <ATen/ATen.h>

#include "core/schedulers/schedule_math.h"

namespace storyscope {

DDIMScheduler::DDIMScheduler(SchedulerConfig config) : Scheduler(std::move(config)) {
  if (config_.thresholding) fail("key \"thresholding\"", "dynamic thresholding is not supported");
  final_alpha_cumprod_ = config_.set_alpha_to_one ? at::ones({}, at::kFloat) : alphas_cumprod_[0].clone();
  timesteps_ = at::arange(config_.num_train_timesteps - 1, -1, -1, at::kLong);
}

void DDIMScheduler::set_timesteps(std::int64_t n) {
  check_num_inference_steps(n);
  num_inference_steps_ = n;
  timesteps_ = at::tensor(schedule::discrete_timesteps(config_, n), at::kDouble).to(at::kLong);
}

at::Tensor DDIMScheduler::alpha_prod_prev(std::int64_t prev_timestep) const {
  return prev_timestep >= 0 ? alphas_cumprod_[prev_timestep] : final_alpha_cumprod_;
}

StepResult DDIMScheduler::step(const at::Tensor& model_output, double timestep, const at::Tensor& sample,
                               const StepOptions& options) {
  if (num_inference_steps_ == 0) fail("step", "call set_timesteps before step");
  const std::int64_t t = train_index(timestep);
  const std::int64_t prev_t = t - config_.num_train_timesteps / num_inference_steps_;

  // The coefficients stay 0-d float32 tensors, as in diffusers, so rounding matches.
  const at::Tensor alpha_t = alphas_cumprod_[t];
  const at::Tensor alpha_prev = alpha_prod_prev(prev_t);
  const at::Tensor beta_t = 1 - alpha_t;

  at::Tensor pred_x0, pred_eps;
  if (config_.prediction_type == "epsilon") {
    pred_x0 = (sample - beta_t.pow(0.5) * model_output) / alpha_t.pow(0.5);
    pred_eps = model_output;
  } else if (config_.prediction_type == "sample") {
    pred_x0 = model_output;
    pred_eps = (sample - alpha_t.pow(0.5) * pred_x0) / beta_t.pow(0.5);
  } else {  // v_prediction
    pred_x0 = alpha_t.pow(0.5) * sample - beta_t.pow(0.5) * model_output;
    pred_eps = alpha_t.pow(0.5) * model_output + beta_t.pow(0.5) * sample;
  }
  if (config_.clip_sample) pred_x0 = pred_x0.clamp(-config_.clip_sample_range, config_.clip_sample_range);

  // sigma_t(eta), formula (16) of the DDIM paper.
  const at::Tensor variance = ((1 - alpha_prev) / beta_t) * (1 - alpha_t / alpha_prev);
  const at::Tensor std_dev = options.eta * variance.pow(0.5);

  const at::Tensor direction = (1 - alpha_prev - std_dev.pow(2)).pow(0.5) * pred_eps;
  at::Tensor prev = alpha_prev.pow(0.5) * pred_x0 + direction;
  if (options.eta > 0) prev = prev + std_dev * variance_noise(model_output, options);
  return {prev, pred_x0};
}

}  // namespace storyscope
