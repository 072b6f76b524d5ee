#pragma once
// The numeric building blocks diffusers' schedulers take from numpy and torch, reproduced
// operation for operation so timesteps and sigmas match the reference bit for bit.
#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/config/scheduler_config.h"

namespace storyscope::schedule {

// numpy.linspace(start, stop, num) in float64 (endpoint included).
std::vector<double> linspace(double start, double stop, std::int64_t num);
// numpy.arange(start, stop, step) in float64 (numpy fills start + i * (a[1] - a[0])).
std::vector<double> arange(double start, double stop, double step);
// numpy.round: half to even.
double round_half_even(double x);
// numpy.interp(x, arange(len(fp)), fp).
std::vector<double> interp(const std::vector<double>& x, const std::vector<double>& fp);

// betas per the config (float32, as diffusers builds them), rescaled for zero terminal SNR
// when asked.
at::Tensor betas(const SchedulerConfig& config);
// cumprod(1 - betas), float32.
at::Tensor alphas_cumprod(const SchedulerConfig& config);

// The integer timesteps of DDIM / DDPM for the config's spacing, before any cast.
std::vector<double> discrete_timesteps(const SchedulerConfig& config, std::int64_t num_inference_steps);

// ((1 - a) / a) ** 0.5 in float32 and widened, as numpy sees them.
std::vector<double> train_sigmas(const at::Tensor& alphas_cumprod);

// Karras et al. (2022) sigmas, rho = 7, from sigma_max down to sigma_min.
std::vector<double> karras_sigmas(double sigma_min, double sigma_max, std::int64_t n);
// The fractional training timestep of `sigma`, interpolating in log-sigma.
double sigma_to_t(double sigma, const std::vector<double>& log_sigmas);

std::vector<double> to_vector(const at::Tensor& t);

}  // namespace storyscope::schedule
