#include "core/schedulers/dpm_solver_multistep.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/schedulers/schedule_math.h"

namespace storyscope {

namespace {

// alpha_t, sigma_t of the VP process for a VE sigma, as 0-d float32 tensors.
std::pair<at::Tensor, at::Tensor> alpha_sigma(const at::Tensor& sigma) {
  const at::Tensor alpha = 1 / (sigma.pow(2) + 1).pow(0.5);
  return {alpha, sigma * alpha};
}

at::Tensor lambda_of(const at::Tensor& alpha, const at::Tensor& sigma) {
  return at::log(alpha) - at::log(sigma);
}

}  // namespace

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(SchedulerConfig config)
    : Scheduler(std::move(config)) {
  std::string& algorithm = config_.algorithm_type;
  if (algorithm == "deis") algorithm = "dpmsolver++";  // diffusers maps it the same way
  if (algorithm != "dpmsolver++" && algorithm != "sde-dpmsolver++")
    fail("key \"algorithm_type\"",
         "\"" + algorithm +
             "\" is not supported (valid: dpmsolver++, sde-dpmsolver++; the deprecated "
             "noise-prediction dpmsolver variants are not implemented)");
  sde_ = algorithm == "sde-dpmsolver++";
  std::string& solver = config_.solver_type;
  if (solver == "logrho" || solver == "bh1" || solver == "bh2") solver = "midpoint";
  if (solver != "midpoint" && solver != "heun")
    fail("key \"solver_type\"", "\"" + solver + "\" is not supported (valid: midpoint, heun)");
  if (config_.solver_order < 1 || config_.solver_order > 3)
    fail("key \"solver_order\"", "must be 1, 2 or 3, got " + std::to_string(config_.solver_order));
  if (config_.thresholding) fail("key \"thresholding\"", "dynamic thresholding is not supported");
  // Only learned variances change DPM-Solver (their extra output channels are dropped);
  // others, e.g. a DDPM file's "fixed_small", are ignored as diffusers does.
  if (config_.variance_type &&
      (*config_.variance_type == "learned" || *config_.variance_type == "learned_range"))
    fail("key \"variance_type\"", "\"" + *config_.variance_type + "\" (learned variance) is not supported");
  if (config_.use_karras_sigmas && config_.use_lu_lambdas)
    fail("key \"use_lu_lambdas\"", "cannot be combined with use_karras_sigmas");

  if (config_.rescale_betas_zero_snr) alphas_cumprod_[-1].fill_(std::ldexp(1.0, -24));
  lambda_t_ = at::log(alphas_cumprod_.sqrt()) - at::log((1 - alphas_cumprod_).sqrt());
  sigmas_ = ((1 - alphas_cumprod_) / alphas_cumprod_).pow(0.5);
  std::vector<double> t = schedule::linspace(0, static_cast<double>(config_.num_train_timesteps - 1),
                                             config_.num_train_timesteps);
  std::reverse(t.begin(), t.end());
  timesteps_ = at::tensor(t, at::kDouble).to(at::kFloat);
  model_outputs_.assign(static_cast<std::size_t>(config_.solver_order), at::Tensor());
}

void DPMSolverMultistepScheduler::set_timesteps(std::int64_t n) {
  check_num_inference_steps(n);
  const std::int64_t T = config_.num_train_timesteps;
  // Timesteps whose lambda falls below lambda_min_clipped are cut from the top.
  std::int64_t clipped = 0;
  for (double l : schedule::to_vector(lambda_t_.flip(0)))
    if (l < config_.lambda_min_clipped) ++clipped;
  const std::int64_t last = T - clipped;

  std::vector<double> t;
  if (config_.timestep_spacing == "linspace") {
    t = schedule::linspace(0, static_cast<double>(last - 1), n + 1);
    for (double& v : t) v = schedule::round_half_even(v);
    std::reverse(t.begin(), t.end());
    t.pop_back();
  } else if (config_.timestep_spacing == "leading") {
    const std::int64_t ratio = last / (n + 1);
    for (std::int64_t i = n; i >= 1; --i) t.push_back(static_cast<double>(i * ratio + config_.steps_offset));
  } else {
    t = schedule::arange(static_cast<double>(last), 0.0, -static_cast<double>(T) / static_cast<double>(n));
    for (double& v : t) v = schedule::round_half_even(v) - 1;
  }

  const std::vector<double> train = schedule::train_sigmas(alphas_cumprod_);
  std::vector<double> log_sigmas(train.size());
  for (std::size_t i = 0; i < train.size(); ++i) log_sigmas[i] = std::log(static_cast<float>(train[i]));
  std::vector<double> sig;
  if (config_.use_karras_sigmas || config_.use_lu_lambdas) {
    if (config_.use_karras_sigmas) {
      sig = schedule::karras_sigmas(train.front(), train.back(), n);
    } else {
      const double lambda_min = log_sigmas.front(), lambda_max = log_sigmas.back();
      sig = schedule::linspace(0, 1, n);
      for (double& r : sig) r = std::exp(lambda_max + r * (lambda_min - lambda_max));
    }
    t.clear();
    for (double s : sig) t.push_back(schedule::round_half_even(schedule::sigma_to_t(s, log_sigmas)));
  } else {
    sig = schedule::interp(t, train);
  }
  const double sigma_last = config_.final_sigmas_type == "zero"
                                ? 0.0
                                : ((1 - alphas_cumprod_[0]) / alphas_cumprod_[0]).pow(0.5).item<double>();
  sig.push_back(sigma_last);

  sigmas_ = at::tensor(sig, at::kDouble).to(at::kFloat);
  timesteps_ = at::tensor(t, at::kDouble).to(at::kLong);
  num_inference_steps_ = static_cast<std::int64_t>(t.size());
  model_outputs_.assign(static_cast<std::size_t>(config_.solver_order), at::Tensor());
  lower_order_nums_ = 0;
  step_index_.reset();
  begin_index_.reset();
}

std::int64_t DPMSolverMultistepScheduler::index_for_timestep(double timestep) const {
  const std::vector<double> ts = timestep_values();
  std::vector<std::int64_t> hits;
  for (std::size_t i = 0; i < ts.size(); ++i)
    if (ts[i] == timestep) hits.push_back(static_cast<std::int64_t>(i));
  if (hits.empty()) return static_cast<std::int64_t>(ts.size()) - 1;  // as diffusers
  return hits[hits.size() > 1 ? 1 : 0];
}

at::Tensor DPMSolverMultistepScheduler::data_prediction(const at::Tensor& model_output,
                                                        const at::Tensor& sample, std::int64_t i) const {
  if (config_.prediction_type == "sample") return model_output;
  const auto [alpha_t, sigma_t] = alpha_sigma(sigmas_[i]);
  if (config_.prediction_type == "epsilon") return (sample - sigma_t * model_output) / alpha_t;
  return alpha_t * sample - sigma_t * model_output;  // v_prediction
}

at::Tensor DPMSolverMultistepScheduler::first_order(const at::Tensor& x0, const at::Tensor& sample,
                                                    const at::Tensor& noise, std::int64_t i) const {
  const auto [alpha_t, sigma_t] = alpha_sigma(sigmas_[i + 1]);
  const auto [alpha_s, sigma_s] = alpha_sigma(sigmas_[i]);
  const at::Tensor h = lambda_of(alpha_t, sigma_t) - lambda_of(alpha_s, sigma_s);
  if (!sde_) return (sigma_t / sigma_s) * sample - (alpha_t * (at::exp(-h) - 1.0)) * x0;
  return (sigma_t / sigma_s * at::exp(-h)) * sample + (alpha_t * (1 - at::exp(-2.0 * h))) * x0 +
         sigma_t * at::sqrt(1.0 - at::exp(-2 * h)) * noise;
}

at::Tensor DPMSolverMultistepScheduler::second_order(const at::Tensor& sample, const at::Tensor& noise,
                                                     std::int64_t i) const {
  const auto [alpha_t, sigma_t] = alpha_sigma(sigmas_[i + 1]);
  const auto [alpha_s0, sigma_s0] = alpha_sigma(sigmas_[i]);
  const auto [alpha_s1, sigma_s1] = alpha_sigma(sigmas_[i - 1]);
  const at::Tensor lambda_t = lambda_of(alpha_t, sigma_t);
  const at::Tensor lambda_s0 = lambda_of(alpha_s0, sigma_s0);
  const at::Tensor lambda_s1 = lambda_of(alpha_s1, sigma_s1);
  const at::Tensor& m0 = model_outputs_.end()[-1];
  const at::Tensor& m1 = model_outputs_.end()[-2];
  const at::Tensor h = lambda_t - lambda_s0;
  const at::Tensor h0 = lambda_s0 - lambda_s1;
  const at::Tensor r0 = h0 / h;
  const at::Tensor& D0 = m0;
  const at::Tensor D1 = (1.0 / r0) * (m0 - m1);
  const bool midpoint = config_.solver_type == "midpoint";
  if (!sde_) {
    if (midpoint)
      return (sigma_t / sigma_s0) * sample - (alpha_t * (at::exp(-h) - 1.0)) * D0 -
             0.5 * (alpha_t * (at::exp(-h) - 1.0)) * D1;
    return (sigma_t / sigma_s0) * sample - (alpha_t * (at::exp(-h) - 1.0)) * D0 +
           (alpha_t * ((at::exp(-h) - 1.0) / h + 1.0)) * D1;
  }
  if (midpoint)
    return (sigma_t / sigma_s0 * at::exp(-h)) * sample + (alpha_t * (1 - at::exp(-2.0 * h))) * D0 +
           0.5 * (alpha_t * (1 - at::exp(-2.0 * h))) * D1 + sigma_t * at::sqrt(1.0 - at::exp(-2 * h)) * noise;
  return (sigma_t / sigma_s0 * at::exp(-h)) * sample + (alpha_t * (1 - at::exp(-2.0 * h))) * D0 +
         (alpha_t * ((1.0 - at::exp(-2.0 * h)) / (-2.0 * h) + 1.0)) * D1 +
         sigma_t * at::sqrt(1.0 - at::exp(-2 * h)) * noise;
}

at::Tensor DPMSolverMultistepScheduler::third_order(const at::Tensor& sample, std::int64_t i) const {
  const auto [alpha_t, sigma_t] = alpha_sigma(sigmas_[i + 1]);
  const auto [alpha_s0, sigma_s0] = alpha_sigma(sigmas_[i]);
  const auto [alpha_s1, sigma_s1] = alpha_sigma(sigmas_[i - 1]);
  const auto [alpha_s2, sigma_s2] = alpha_sigma(sigmas_[i - 2]);
  const at::Tensor lambda_t = lambda_of(alpha_t, sigma_t);
  const at::Tensor lambda_s0 = lambda_of(alpha_s0, sigma_s0);
  const at::Tensor lambda_s1 = lambda_of(alpha_s1, sigma_s1);
  const at::Tensor lambda_s2 = lambda_of(alpha_s2, sigma_s2);
  const at::Tensor& m0 = model_outputs_.end()[-1];
  const at::Tensor& m1 = model_outputs_.end()[-2];
  const at::Tensor& m2 = model_outputs_.end()[-3];
  const at::Tensor h = lambda_t - lambda_s0, h0 = lambda_s0 - lambda_s1, h1 = lambda_s1 - lambda_s2;
  const at::Tensor r0 = h0 / h, r1 = h1 / h;
  const at::Tensor& D0 = m0;
  const at::Tensor D1_0 = (1.0 / r0) * (m0 - m1), D1_1 = (1.0 / r1) * (m1 - m2);
  const at::Tensor D1 = D1_0 + (r0 / (r0 + r1)) * (D1_0 - D1_1);
  const at::Tensor D2 = (1.0 / (r0 + r1)) * (D1_0 - D1_1);
  // diffusers has no SDE third-order update: the SDE variant also takes this deterministic one.
  return (sigma_t / sigma_s0) * sample - (alpha_t * (at::exp(-h) - 1.0)) * D0 +
         (alpha_t * ((at::exp(-h) - 1.0) / h + 1.0)) * D1 -
         (alpha_t * ((at::exp(-h) - 1.0 + h) / h.pow(2) - 0.5)) * D2;
}

StepResult DPMSolverMultistepScheduler::step(const at::Tensor& model_output, double timestep,
                                             const at::Tensor& sample_in, const StepOptions& options) {
  if (num_inference_steps_ == 0) fail("step", "call set_timesteps before step");
  if (!step_index_) step_index_ = begin_index_ ? *begin_index_ : index_for_timestep(timestep);
  const std::int64_t i = *step_index_;
  const std::int64_t n = timesteps_.size(0);
  if (i >= n) fail("step", "stepped past the last timestep");
  const std::int64_t order = config_.solver_order;
  // Lower orders near the end keep few-step runs stable; a zero final sigma needs a first-order last step.
  const bool lower_final = i == n - 1 && (config_.euler_at_final || (config_.lower_order_final && n < 15) ||
                                          config_.final_sigmas_type == "zero");
  const bool lower_second = i == n - 2 && config_.lower_order_final && n < 15;

  const at::Tensor x0 = data_prediction(model_output, sample_in, i);
  std::rotate(model_outputs_.begin(), model_outputs_.begin() + 1, model_outputs_.end());
  model_outputs_.back() = x0;

  const at::Tensor sample = sample_in.to(at::kFloat);
  const at::Tensor noise = sde_ ? variance_noise(model_output, options).to(at::kFloat) : at::Tensor();
  at::Tensor prev;
  if (order == 1 || lower_order_nums_ < 1 || lower_final)
    prev = first_order(x0, sample, noise, i);
  else if (order == 2 || lower_order_nums_ < 2 || lower_second)
    prev = second_order(sample, noise, i);
  else
    prev = third_order(sample, i);
  if (lower_order_nums_ < order) ++lower_order_nums_;
  step_index_ = i + 1;
  return {prev.to(model_output.scalar_type()), x0};
}

at::Tensor DPMSolverMultistepScheduler::add_noise(const at::Tensor& original, const at::Tensor& noise,
                                                  double timestep) const {
  const std::int64_t i = !begin_index_ ? index_for_timestep(timestep)
                         : step_index_ ? *step_index_
                                       : *begin_index_;
  const auto [alpha_t, sigma_t] = alpha_sigma(sigmas_.to(original.options())[i]);
  return alpha_t * original + sigma_t * noise;
}

}  // namespace storyscope
