#include "core/schedulers/schedule_math.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/common/error.h"

namespace storyscope::schedule {

std::vector<double> linspace(double start, double stop, std::int64_t num) {
  std::vector<double> y;
  if (num <= 0) return y;
  if (num == 1) return {start};
  const double delta = stop - start;
  const double step = delta / static_cast<double>(num - 1);
  y.resize(static_cast<std::size_t>(num));
  for (std::int64_t i = 0; i < num; ++i) {
    // numpy divides first when the step underflows to zero.
    const double v = step == 0.0 ? static_cast<double>(i) / static_cast<double>(num - 1) * delta
                                 : static_cast<double>(i) * step;
    y[static_cast<std::size_t>(i)] = v + start;
  }
  y.back() = stop;
  return y;
}

std::vector<double> arange(double start, double stop, double step) {
  const double len = std::ceil((stop - start) / step);
  std::vector<double> a;
  if (!(len > 0)) return a;
  a.resize(static_cast<std::size_t>(len));
  a[0] = start;
  if (a.size() > 1) a[1] = start + step;
  const double delta = a.size() > 1 ? a[1] - a[0] : step;
  for (std::size_t i = 2; i < a.size(); ++i) a[i] = start + static_cast<double>(i) * delta;
  return a;
}

double round_half_even(double x) { return std::nearbyint(x); }

std::vector<double> interp(const std::vector<double>& x, const std::vector<double>& fp) {
  const std::size_t n = fp.size();
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    if (std::isnan(v)) {
      out[i] = v;
      continue;
    }
    if (v < 0.0) {
      out[i] = fp.front();
      continue;
    }
    if (v >= static_cast<double>(n - 1)) {
      out[i] = fp.back();
      continue;
    }
    const std::size_t j = static_cast<std::size_t>(std::floor(v));
    const double xj = static_cast<double>(j);
    if (xj == v) {
      out[i] = fp[j];
      continue;
    }
    // xp is 0, 1, 2, ...: the slope's divisor is exactly 1. `volatile` keeps the compiler from
    // fusing the multiply-add into an FMA that numpy does not do.
    const double slope = fp[j + 1] - fp[j];
    const volatile double scaled = slope * (v - xj);
    out[i] = scaled + fp[j];
  }
  return out;
}

namespace {

at::Tensor cosine_betas(std::int64_t n) {
  auto alpha_bar = [](double t) {
    const double c = std::cos((t + 0.008) / 1.008 * M_PI / 2);
    return c * c;
  };
  std::vector<double> b(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const double t1 = static_cast<double>(i) / static_cast<double>(n);
    const double t2 = static_cast<double>(i + 1) / static_cast<double>(n);
    b[static_cast<std::size_t>(i)] = std::min(1 - alpha_bar(t2) / alpha_bar(t1), 0.999);
  }
  return at::tensor(b, at::kDouble).to(at::kFloat);
}

// Lin et al. 2023, Algorithm 1: shift and scale sqrt(alphas_cumprod) so the last is zero.
at::Tensor rescale_zero_terminal_snr(const at::Tensor& betas) {
  const at::Tensor alphas = 1.0 - betas;
  at::Tensor bar_sqrt = at::cumprod(alphas, 0).sqrt();
  const at::Tensor first = bar_sqrt[0].clone();
  const at::Tensor last = bar_sqrt[-1].clone();
  bar_sqrt = bar_sqrt - last;
  bar_sqrt = bar_sqrt * (first / (first - last));
  const at::Tensor bar = bar_sqrt.pow(2);
  const at::Tensor ratios = bar.slice(0, 1) / bar.slice(0, 0, -1);
  return 1 - at::cat({bar.slice(0, 0, 1), ratios});
}

}  // namespace

at::Tensor betas(const SchedulerConfig& c) {
  const auto f32 = at::TensorOptions().dtype(at::kFloat);
  const std::int64_t n = c.num_train_timesteps;
  at::Tensor b;
  if (c.trained_betas) {
    b = at::tensor(*c.trained_betas, at::kDouble).to(at::kFloat);
  } else if (c.beta_schedule == "linear") {
    b = at::linspace(c.beta_start, c.beta_end, n, f32);
  } else if (c.beta_schedule == "scaled_linear") {
    b = at::linspace(std::pow(c.beta_start, 0.5), std::pow(c.beta_end, 0.5), n, f32).pow(2);
  } else if (c.beta_schedule == "squaredcos_cap_v2") {
    b = cosine_betas(n);
  } else if (c.beta_schedule == "sigmoid" && c.class_name == "DDPMScheduler") {
    b = at::sigmoid(at::linspace(-6, 6, n, f32)) * (c.beta_end - c.beta_start) + c.beta_start;
  } else {
    throw_bad_input(c.file, "key \"beta_schedule\"",
                    "\"" + c.beta_schedule + "\" is not implemented for " + c.class_name);
  }
  if (c.rescale_betas_zero_snr) b = rescale_zero_terminal_snr(b);
  return b;
}

at::Tensor alphas_cumprod(const SchedulerConfig& c) { return at::cumprod(1.0 - betas(c), 0); }

std::vector<double> discrete_timesteps(const SchedulerConfig& c, std::int64_t n) {
  const std::int64_t T = c.num_train_timesteps;
  std::vector<double> t;
  if (c.timestep_spacing == "linspace") {
    t = linspace(0, static_cast<double>(T - 1), n);
    for (double& v : t) v = round_half_even(v);
    std::reverse(t.begin(), t.end());
  } else if (c.timestep_spacing == "leading") {
    const std::int64_t ratio = T / n;
    for (std::int64_t i = n - 1; i >= 0; --i) t.push_back(static_cast<double>(i * ratio + c.steps_offset));
  } else {  // trailing
    t = arange(static_cast<double>(T), 0.0, -static_cast<double>(T) / static_cast<double>(n));
    for (double& v : t) v = round_half_even(v) - 1;
  }
  return t;
}

std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor d = t.detach().to(at::kDouble).contiguous().cpu();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

std::vector<double> train_sigmas(const at::Tensor& ac) { return to_vector(((1 - ac) / ac).pow(0.5)); }

std::vector<double> karras_sigmas(double sigma_min, double sigma_max, std::int64_t n) {
  const double rho = 7.0;
  const double min_inv_rho = std::pow(sigma_min, 1 / rho);
  const double max_inv_rho = std::pow(sigma_max, 1 / rho);
  std::vector<double> s = linspace(0, 1, n);
  for (double& r : s) r = std::pow(max_inv_rho + r * (min_inv_rho - max_inv_rho), rho);
  return s;
}

double sigma_to_t(double sigma, const std::vector<double>& log_sigmas) {
  const double log_sigma = std::log(std::max(sigma, 1e-10));
  // The last training index whose log-sigma does not exceed ours (0 when none does).
  std::size_t low = 0;
  for (std::size_t i = 0; i < log_sigmas.size(); ++i)
    if (log_sigma - log_sigmas[i] >= 0) low = i;
  low = std::min(low, log_sigmas.size() - 2);
  const std::size_t high = low + 1;
  // numpy keeps log_sigmas in float32, so their difference is a float32 too.
  const float lo = static_cast<float>(log_sigmas[low]);
  const float hi = static_cast<float>(log_sigmas[high]);
  const float span = lo - hi;
  double w = (static_cast<double>(lo) - log_sigma) / static_cast<double>(span);
  w = std::clamp(w, 0.0, 1.0);
  return (1 - w) * static_cast<double>(low) + w * static_cast<double>(high);
}

}  // namespace storyscope::schedule
