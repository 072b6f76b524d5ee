#pragma once
// An optional observer of the VAE's intermediate outputs, named by diffusers module path
// ("encoder.down_blocks.0", "post_quant_conv"): for locating where a port diverges from the
// reference probes, and for showing intermediate activations.
#include <ATen/Tensor.h>

#include <functional>
#include <string>

namespace storyscope {

using VaeTap = std::function<void(const std::string& module, const at::Tensor& output)>;

}  // namespace storyscope
