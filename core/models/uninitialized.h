#pragma once
// LibTorch's Linear/Conv2d constructors run kaiming_uniform_ over every weight: for a UNet whose
// weights are loaded (or splitmix-filled) right after, that is 8 s (SD1.5) to 40 s (SDXL) of
// wasted work that also touches every page. These build the same modules with the right options
// and shapes but uninitialised (at::empty) parameters; reset_parameters() still works on them.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace storyscope {

torch::nn::Linear uninitialized_linear(std::int64_t in_features, std::int64_t out_features, bool bias = true);
torch::nn::Conv2d uninitialized_conv2d(const torch::nn::Conv2dOptions& options);

// LibTorch's default initialisation for every Linear and Conv2d inside `root` (for training
// from scratch; loading weights does not need it).
void reset_linear_and_conv_parameters(torch::nn::Module& root);

}  // namespace storyscope
