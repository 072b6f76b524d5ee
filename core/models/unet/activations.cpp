#include "core/models/unet/activations.h"

#include <ATen/ATen.h>

#include "core/common/error.h"

namespace storyscope {

at::Tensor apply_activation(const std::string& name, const at::Tensor& x) {
  if (name == "silu" || name == "swish") return at::silu(x);
  if (name == "gelu") return at::gelu(x);
  if (name == "relu") return at::relu(x);
  if (name == "mish") return at::mish(x);
  throw Error(ErrorKind::Internal, "", "activation \"" + name + "\"", "unsupported activation");
}

}  // namespace storyscope
