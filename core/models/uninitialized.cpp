#include "core/models/uninitialized.h"

#include <torch/nn.h>

namespace storyscope {

torch::nn::Linear uninitialized_linear(std::int64_t in_features, std::int64_t out_features, bool bias) {
  // Built at 1x1 (init is then trivial), then given its real options and shapes.
  torch::nn::Linear m(torch::nn::LinearOptions(1, 1).bias(bias));
  m->options.in_features(in_features).out_features(out_features);
  torch::NoGradGuard no_grad;
  m->weight.set_data(at::empty({out_features, in_features}));
  if (bias) m->bias.set_data(at::empty({out_features}));
  return m;
}

torch::nn::Conv2d uninitialized_conv2d(const torch::nn::Conv2dOptions& options) {
  auto small = options;
  small.in_channels(1).out_channels(1).groups(1);
  torch::nn::Conv2d m(small);
  m->options.in_channels(options.in_channels()).out_channels(options.out_channels()).groups(options.groups());
  const auto k = options.kernel_size();
  torch::NoGradGuard no_grad;
  m->weight.set_data(
      at::empty({options.out_channels(), options.in_channels() / options.groups(), (*k)[0], (*k)[1]}));
  if (options.bias()) m->bias.set_data(at::empty({options.out_channels()}));
  return m;
}

void reset_linear_and_conv_parameters(torch::nn::Module& root) {
  for (const auto& m : root.modules(/*include_self=*/true)) {
    if (auto lin = std::dynamic_pointer_cast<torch::nn::LinearImpl>(m))
      lin->reset_parameters();
    else if (auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(m))
      conv->reset_parameters();
  }
}

}  // namespace storyscope
