#include "core/schedulers/euler_discrete.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/schedulers/schedule_math.h"

namespace storyscope {

namespace {
at::Tensor f32(const std::vector<double>& v) { return at::tensor(v, at::kDouble).to(at::kFloat); }
}  // namespace

EulerDiscreteScheduler::EulerDiscreteScheduler(SchedulerConfig config) : Scheduler(std::move(config)) {
  // Close to 0 without being 0, so the first sigma is finite (diffusers uses fp16's smallest
  // subnormal).
  if (config_.rescale_betas_zero_snr) alphas_cumprod_[-1].fill_(std::ldexp(1.0, -24));
  const at::Tensor train = ((1 - alphas_cumprod_) / alphas_cumprod_).pow(0.5).flip(0);
  std::vector<double> t = schedule::linspace(0, static_cast<double>(config_.num_train_timesteps - 1),
                                             config_.num_train_timesteps);
  std::reverse(t.begin(), t.end());
  timesteps_ = config_.timestep_type == "continuous" && config_.prediction_type == "v_prediction"
                   ? 0.25 * train.log()
                   : f32(t);
  sigmas_ = at::cat({train, at::zeros({1}, at::kFloat)});
}

void EulerDiscreteScheduler::set_timesteps(std::int64_t n) {
  check_num_inference_steps(n);
  num_inference_steps_ = n;
  const std::int64_t T = config_.num_train_timesteps;
  std::vector<double> t;  // float32 values, widened
  if (config_.timestep_spacing == "linspace") {
    t = schedule::linspace(0, static_cast<double>(T - 1), n);
    std::reverse(t.begin(), t.end());
  } else if (config_.timestep_spacing == "leading") {
    const std::int64_t ratio = T / n;
    for (std::int64_t i = n - 1; i >= 0; --i) t.push_back(static_cast<double>(i * ratio));
  } else {
    t = schedule::arange(static_cast<double>(T), 0.0, -static_cast<double>(T) / static_cast<double>(n));
    for (double& v : t) v = schedule::round_half_even(v);
  }
  for (double& v : t) {
    v = static_cast<float>(v);
    if (config_.timestep_spacing == "leading")
      v = static_cast<float>(v) + static_cast<float>(config_.steps_offset);
    if (config_.timestep_spacing == "trailing") v = static_cast<float>(v) - 1.0f;
  }

  const std::vector<double> train = schedule::train_sigmas(alphas_cumprod_);
  std::vector<double> sig;
  if (config_.interpolation_type == "linear") {
    sig = schedule::interp(t, train);
  } else {  // log_linear: diffusers makes steps + 1 sigmas here (then appends the zero)
    sig = schedule::to_vector(at::linspace(std::log(static_cast<float>(train.back())),
                                           std::log(static_cast<float>(train.front())), n + 1, at::kFloat)
                                  .exp());
  }
  if (config_.use_karras_sigmas) {
    std::vector<double> log_sigmas(train.size());
    for (std::size_t i = 0; i < train.size(); ++i) log_sigmas[i] = std::log(static_cast<float>(train[i]));
    sig = schedule::karras_sigmas(config_.sigma_min.value_or(sig.back()),
                                  config_.sigma_max.value_or(sig.front()), n);
    t.clear();
    for (double s : sig) t.push_back(static_cast<float>(schedule::sigma_to_t(s, log_sigmas)));
  }
  const at::Tensor sigmas = f32(sig);
  timesteps_ = config_.timestep_type == "continuous" && config_.prediction_type == "v_prediction"
                   ? 0.25 * sigmas.log()
                   : f32(t);
  sigmas_ = at::cat({sigmas, at::zeros({1}, at::kFloat)});
  step_index_.reset();
  begin_index_.reset();
}

double EulerDiscreteScheduler::init_noise_sigma() const {
  const at::Tensor max_sigma = sigmas_.max();
  if (config_.timestep_spacing == "linspace" || config_.timestep_spacing == "trailing")
    return max_sigma.item<double>();
  return (max_sigma.pow(2) + 1).pow(0.5).item<double>();
}

std::int64_t EulerDiscreteScheduler::index_for_timestep(double timestep) const {
  const std::vector<double> ts = timestep_values();
  std::vector<std::int64_t> hits;
  for (std::size_t i = 0; i < ts.size(); ++i)
    if (ts[i] == timestep) hits.push_back(static_cast<std::int64_t>(i));
  if (hits.empty()) fail("timestep " + std::to_string(timestep), "is not one of the scheduler's timesteps");
  // A repeated first timestep (img2img) starts from its second occurrence, so no sigma is skipped.
  return hits[hits.size() > 1 ? 1 : 0];
}

std::int64_t EulerDiscreteScheduler::current_index(double timestep) {
  if (!step_index_) step_index_ = begin_index_ ? *begin_index_ : index_for_timestep(timestep);
  return *step_index_;
}

at::Tensor EulerDiscreteScheduler::scale_model_input(const at::Tensor& sample, double timestep) {
  const at::Tensor sigma = sigmas_[current_index(timestep)];
  return sample / (sigma.pow(2) + 1).pow(0.5);
}

StepResult EulerDiscreteScheduler::step(const at::Tensor& model_output, double timestep,
                                        const at::Tensor& sample_in, const StepOptions& options) {
  if (num_inference_steps_ == 0) fail("step", "call set_timesteps before step");
  const std::int64_t i = current_index(timestep);
  if (i + 1 >= sigmas_.size(0)) fail("step", "stepped past the last timestep");
  const at::Tensor sample = sample_in.to(at::kFloat);  // diffusers upcasts here
  const at::Tensor sigma = sigmas_[i];
  // No churn (s_churn = 0), so sigma_hat = sigma and no noise enters.
  const at::Tensor sigma_hat = sigma * 1.0;

  at::Tensor pred_x0;
  if (config_.prediction_type == "sample")
    pred_x0 = model_output;
  else if (config_.prediction_type == "epsilon")
    pred_x0 = sample - sigma_hat * model_output;
  else  // v_prediction: denoised = model_output * c_out + input * c_skip
    pred_x0 = model_output * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (sample / (sigma.pow(2) + 1));

  const at::Tensor derivative = (sample - pred_x0) / sigma_hat;
  const at::Tensor dt = sigmas_[i + 1] - sigma_hat;
  const at::Tensor prev = (sample + derivative * dt).to(model_output.scalar_type());
  step_index_ = i + 1;
  return {prev, pred_x0};
}

at::Tensor EulerDiscreteScheduler::add_noise(const at::Tensor& original, const at::Tensor& noise,
                                             double timestep) const {
  const std::int64_t i = !begin_index_ ? index_for_timestep(timestep)
                         : step_index_ ? *step_index_
                                       : *begin_index_;
  const at::Tensor sigma = sigmas_.to(original.options())[i];
  return original + noise * sigma;
}

}  // namespace storyscope
