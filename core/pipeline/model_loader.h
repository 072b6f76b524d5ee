#pragma once
// One entry point for "a model the user has": a diffusers folder, or a single-file checkpoint
// (original LDM / A1111 layout) whose configs come from a diffusers folder given with it or,
// by default, from the built-in configs of its detected family (resources/configs/<family>).
// Single files carry no tokenizer: the user points to one once and it is remembered per family.
#include <memory>
#include <string>

#include "core/pipeline/model_bundle.h"

namespace storyscope {

struct ModelLocation {
  std::string path;           // folder or .safetensors file
  std::string config_dir;     // single file: diffusers folder with the configs (optional)
  std::string tokenizer_dir;  // single file: tokenizer folder, or a folder with tokenizer/ [+ tokenizer_2/]
};

std::shared_ptr<ModelBundle> load_model(const ModelLocation& where, const LoadSettings& settings = {});

// The folder of built-in configs for a family ("sd15", "sd21", "sdxl"); STORYSCOPE_RESOURCES
// overrides the resources folder found at build time.
std::string builtin_config_dir(ModelFamily family);
std::string resources_dir();

// The shipped shapes-world demo model (resources/models/shapes-demo), the default model of the
// CLI and the GUI when none is given; empty when it is not installed.
std::string demo_model_dir();

// Tokenizer folders remembered per family, in $XDG_CONFIG_HOME/storyscope/tokenizers.json
// (or ~/.config/...). STORYSCOPE_CONFIG_HOME overrides the folder (tests).
std::string remembered_tokenizer_dir(ModelFamily family);
void remember_tokenizer_dir(ModelFamily family, const std::string& dir);

}  // namespace storyscope
