#pragma once
// Which Stable Diffusion family a model belongs to, from its UNet config or, for a
// single-file checkpoint, from its key layout.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace storyscope {

enum class ModelFamily { SD1, SD2, SDXL, PixelSpace, Unknown };

const char* family_name(ModelFamily f);
// From a diffusers unet/config.json document.
ModelFamily family_from_unet_config(const nlohmann::json& unet_config, bool has_vae);
// From the keys of an original LDM / A1111 single-file checkpoint.
ModelFamily family_from_checkpoint_keys(const std::vector<std::string>& keys);

}  // namespace storyscope
