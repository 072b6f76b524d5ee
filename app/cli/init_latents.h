#pragma once
// --init-latents FILE [--init-latents-key NAME]: starting noise from a safetensors file, shared by
// generate and attend (e.g. to reproduce a diffusers run from its latents).
#include <ATen/Tensor.h>

#include <string>

namespace storyscope::cli {

// The tensor named `key`; without a key the one named "latents", or the file's only tensor.
// Throws Error(BadInput) naming the file otherwise.
at::Tensor read_init_latents(const std::string& path, const std::string& key);

}  // namespace storyscope::cli
