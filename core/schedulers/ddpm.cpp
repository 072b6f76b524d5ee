#include "core/schedulers/ddpm.h"

#include <ATen/ATen.h>

#include "core/schedulers/schedule_math.h"

namespace storyscope {

DDPMScheduler::DDPMScheduler(SchedulerConfig config) : Scheduler(std::move(config)) {
  if (config_.thresholding) fail("key \"thresholding\"", "dynamic thresholding is not supported");
  variance_type_ = config_.variance_type.value_or("fixed_small");
  // "learned" / "learned_range" need a model that also predicts its variance (none of ours).
  // diffusers' "fixed_large_log" takes the square root of a log variance (NaN noise): refused.
  if (variance_type_ != "fixed_small" && variance_type_ != "fixed_small_log" &&
      variance_type_ != "fixed_large")
    fail("key \"variance_type\"",
         "\"" + variance_type_ + "\" is not supported (valid: fixed_small, fixed_small_log, fixed_large)");
  timesteps_ = at::arange(config_.num_train_timesteps - 1, -1, -1, at::kLong);
}

void DDPMScheduler::set_timesteps(std::int64_t n) {
  check_num_inference_steps(n);
  num_inference_steps_ = n;
  timesteps_ = at::tensor(schedule::discrete_timesteps(config_, n), at::kDouble).to(at::kLong);
}

std::int64_t DDPMScheduler::previous_timestep(std::int64_t t) const {
  const std::int64_t n = num_inference_steps_ ? num_inference_steps_ : config_.num_train_timesteps;
  return t - config_.num_train_timesteps / n;
}

StepResult DDPMScheduler::step(const at::Tensor& model_output, double timestep, const at::Tensor& sample,
                               const StepOptions& options) {
  const std::int64_t t = train_index(timestep);
  const std::int64_t prev_t = previous_timestep(t);

  const at::Tensor one = at::ones({}, at::kFloat);
  const at::Tensor alpha_t = alphas_cumprod_[t];
  const at::Tensor alpha_prev = prev_t >= 0 ? alphas_cumprod_[prev_t] : one;
  const at::Tensor beta_t = 1 - alpha_t;
  const at::Tensor beta_prev = 1 - alpha_prev;
  const at::Tensor current_alpha = alpha_t / alpha_prev;
  const at::Tensor current_beta = 1 - current_alpha;

  at::Tensor pred_x0;
  if (config_.prediction_type == "epsilon")
    pred_x0 = (sample - beta_t.pow(0.5) * model_output) / alpha_t.pow(0.5);
  else if (config_.prediction_type == "sample")
    pred_x0 = model_output;
  else  // v_prediction
    pred_x0 = alpha_t.pow(0.5) * sample - beta_t.pow(0.5) * model_output;
  if (config_.clip_sample) pred_x0 = pred_x0.clamp(-config_.clip_sample_range, config_.clip_sample_range);

  // Formula (7) of the DDPM paper.
  const at::Tensor x0_coeff = (alpha_prev.pow(0.5) * current_beta) / beta_t;
  const at::Tensor sample_coeff = current_alpha.pow(0.5) * beta_prev / beta_t;
  at::Tensor prev = x0_coeff * pred_x0 + sample_coeff * sample;

  if (t > 0) {
    const at::Tensor noise = variance_noise(model_output, options);
    at::Tensor variance = at::clamp((1 - alpha_prev) / (1 - alpha_t) * current_beta, 1e-20);
    at::Tensor scale;
    if (variance_type_ == "fixed_small")
      scale = variance.pow(0.5);
    else if (variance_type_ == "fixed_small_log")
      scale = at::exp(0.5 * at::log(variance));  // diffusers uses this directly as the std
    else                                         // fixed_large
      scale = current_beta.pow(0.5);
    prev = prev + scale * noise;
  }
  return {prev, pred_x0};
}

}  // namespace storyscope
