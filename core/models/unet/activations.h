#pragma once
// diffusers' get_activation(name) as a plain function: the UNet's activations have no weights.
#include <ATen/Tensor.h>

#include <string>

namespace storyscope {

// "silu"/"swish", "mish", "gelu" (exact erf form), "relu". Unknown names throw Error (the config
// validates act_fn first, so this only guards programming mistakes).
at::Tensor apply_activation(const std::string& name, const at::Tensor& x);

}  // namespace storyscope
