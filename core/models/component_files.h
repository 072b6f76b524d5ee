#pragma once
// Where a model component's files are: a diffusers component folder holds config.json (or
// scheduler_config.json) and weights as *.safetensors, optionally in a variant such as
// diffusion_pytorch_model.fp16.safetensors. Used by the CLI and by model loading.
#include <string>
#include <vector>

#include "core/tensor/state_dict.h"

namespace storyscope {

struct ComponentFiles {
  std::string folder;
  std::string config;                // path of config.json
  std::vector<std::string> weights;  // safetensors files (one, or the shards of one variant)
};

// `dir` is either a pipeline folder (then `subfolder` is used, e.g. "unet") or a component
// folder itself. `variant` picks e.g. "fp16" weights; empty prefers the plain files and falls
// back to any single variant. Throws Error naming the folder when nothing usable is there.
ComponentFiles locate_component(const std::string& dir, const std::string& subfolder,
                                const std::string& variant = "");

// Zero-copy views of all tensors in the component's weight files; duplicate names across
// shards are an error naming both files.
TensorMap load_component_weights(const ComponentFiles& files);

}  // namespace storyscope
