#include "core/models/vae/vae_resnet.h"

#include <torch/nn.h>

namespace storyscope {

at::Tensor apply_vae_activation(VaeActivation act, const at::Tensor& x) {
  switch (act) {
    case VaeActivation::SiLU:
      return at::silu(x);
    case VaeActivation::Mish:
      return at::mish(x);
    case VaeActivation::GELU:
      return at::gelu(x);
    case VaeActivation::ReLU:
      return at::relu(x);
  }
  return at::silu(x);
}

VaeResnetBlock2DImpl::VaeResnetBlock2DImpl(const VaeResnetOptions& o) : act_(o.act) {
  using namespace torch::nn;
  norm1 = register_module("norm1", GroupNorm(GroupNormOptions(o.groups, o.in_channels).eps(o.eps)));
  conv1 = register_module("conv1", Conv2d(Conv2dOptions(o.in_channels, o.out_channels, 3).padding(1)));
  norm2 = register_module("norm2", GroupNorm(GroupNormOptions(o.groups, o.out_channels).eps(o.eps)));
  conv2 = register_module("conv2", Conv2d(Conv2dOptions(o.out_channels, o.out_channels, 3).padding(1)));
  if (o.in_channels != o.out_channels)
    conv_shortcut = register_module("conv_shortcut", Conv2d(Conv2dOptions(o.in_channels, o.out_channels, 1)));
}

at::Tensor VaeResnetBlock2DImpl::forward(const at::Tensor& x) {
  auto h = conv1->forward(apply_vae_activation(act_, norm1->forward(x)));
  h = conv2->forward(apply_vae_activation(act_, norm2->forward(h)));
  const auto shortcut = conv_shortcut ? conv_shortcut->forward(x) : x;
  return shortcut + h;
}

}  // namespace storyscope
