#include "core/tensor/splitmix.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/nn/module.h>

#include <array>
#include <cmath>

namespace storyscope {
namespace {

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

inline double splitmix_at(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z = z ^ (z >> 31);
  const double u = static_cast<double>(z >> 40) / 16777216.0;
  return 2.0 * u - 1.0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Fills float32 out[i] = float(a * r_i + b), computed in double and rounded once.
void fill_affine(float* out, std::uint32_t seed, std::int64_t n, double a, double b) {
  at::parallel_for(0, n, 1 << 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i)
      out[i] = static_cast<float>(b + a * splitmix_at(seed, static_cast<std::uint64_t>(i)));
  });
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  static const auto table = make_crc_table();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

at::Tensor splitmix_r(std::uint32_t seed, std::int64_t n) {
  auto out = at::empty({n}, at::kDouble);
  double* p = out.data_ptr<double>();
  at::parallel_for(0, n, 1 << 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) p[i] = splitmix_at(seed, static_cast<std::uint64_t>(i));
  });
  return out;
}

at::Tensor splitmix_input(const std::string& seed_name, const std::vector<std::int64_t>& shape,
                          double scale) {
  auto out = at::empty(shape, at::kFloat);
  // r * scale, with the 0 offset written so the rounding matches float32(r * scale).
  fill_affine(out.data_ptr<float>(), crc32(seed_name), out.numel(), scale, 0.0);
  return out;
}

at::Tensor splitmix_parameter(const std::string& name, const std::vector<std::int64_t>& shape) {
  auto out = at::empty(shape, at::kFloat);
  const std::int64_t n = out.numel();
  double a, b = 0.0;
  if (ends_with(name, "bias")) {
    a = 0.02;
  } else if (shape.size() == 1) {
    a = 0.1;
    b = 1.0;
  } else if (ends_with(name, "token_embedding.weight") || ends_with(name, "position_embedding.weight")) {
    a = 0.5;
  } else {
    const double fan_in = static_cast<double>(n / shape.at(0));
    a = std::sqrt(3.0 / fan_in);
  }
  if (n > 0) fill_affine(out.data_ptr<float>(), crc32(name), n, a, b);
  return out;
}

void fill_splitmix(torch::nn::Module& module, const std::string& prefix) {
  at::NoGradGuard no_grad;
  for (auto& item : module.named_parameters(/*recurse=*/true)) {
    at::Tensor& p = item.value();
    const std::string name = prefix + item.key();
    auto values = splitmix_parameter(name, p.sizes().vec());
    if (p.scalar_type() == at::kFloat && p.device().is_cpu() && p.is_contiguous())
      p.copy_(values);
    else
      p.copy_(values.to(p.options()));
  }
}

}  // namespace storyscope
