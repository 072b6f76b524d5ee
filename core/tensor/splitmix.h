#pragma once
// The splitmix synthetic-weight rule shared with the reference fixtures
// (../shared/fixtures/README.md): deterministic weights and inputs for any parameter name, so
// models can be rebuilt bit-exactly without downloading a checkpoint.
#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace torch::nn {
class Module;
}

namespace storyscope {

std::uint32_t crc32(std::string_view bytes);

// r_i in [-1, 1) for i = 0..n-1 from `seed`, as float64.
at::Tensor splitmix_r(std::uint32_t seed, std::int64_t n);

// An input tensor: float32(r * scale), seed = crc32(seed_name), C-order.
at::Tensor splitmix_input(const std::string& seed_name, const std::vector<std::int64_t>& shape,
                          double scale = 1.0);

// The value of parameter `name` with `shape` by the rule (bias / 1-D / CLIP embedding / fan-in).
at::Tensor splitmix_parameter(const std::string& name, const std::vector<std::int64_t>& shape);

// Fills every parameter of `module` (buffers untouched), named as in its state dict.
void fill_splitmix(torch::nn::Module& module, const std::string& prefix = "");

}  // namespace storyscope
