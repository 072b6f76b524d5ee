#include "core/training/diffusion_noising.h"

#include <ATen/ATen.h>

#include "core/common/error.h"

namespace storyscope {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

at::Tensor per_sample(const at::Tensor& alphas_cumprod, const at::Tensor& timesteps, const at::Tensor& like) {
  std::vector<std::int64_t> shape(like.dim(), 1);
  shape[0] = like.size(0);
  return alphas_cumprod.index_select(0, timesteps).view(shape).to(like.scalar_type());
}

}  // namespace

std::uint64_t step_seed(std::uint64_t seed, std::uint64_t step) {
  return splitmix64(splitmix64(seed) ^ (step * 0xd1b54a32d192ed03ULL));
}

at::Tensor noisy_sample(const at::Tensor& alphas_cumprod, const at::Tensor& x0, const at::Tensor& eps,
                        const at::Tensor& timesteps) {
  const at::Tensor a = per_sample(alphas_cumprod, timesteps, x0);
  return a.sqrt() * x0 + (1 - a).sqrt() * eps;
}

at::Tensor diffusion_target(const std::string& prediction_type, const at::Tensor& alphas_cumprod,
                            const at::Tensor& x0, const at::Tensor& eps, const at::Tensor& timesteps,
                            const std::string& source) {
  if (prediction_type == "epsilon") return eps;
  if (prediction_type == "v_prediction") {
    const at::Tensor a = per_sample(alphas_cumprod, timesteps, x0);
    return a.sqrt() * eps - (1 - a).sqrt() * x0;
  }
  throw_bad_input(source, "prediction_type",
                  "\"" + prediction_type + "\" cannot be trained (epsilon and v_prediction can)");
}

}  // namespace storyscope
