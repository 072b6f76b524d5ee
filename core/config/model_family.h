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

// What the key layout of an original LDM / A1111 single-file checkpoint says about its family.
// The text encoders decide; without them only SDXL's UNet (label_emb, the text_time embedding)
// is recognisable, since SD1 and SD2 UNets have the same key names. `explanation` says why, in
// words a user can act on (e.g. "UNet-only checkpoint: ...").
struct CheckpointFamily {
  ModelFamily family = ModelFamily::Unknown;
  bool has_unet = false, has_vae = false, has_text_encoder = false, has_text_encoder_2 = false;
  std::string explanation;
};
CheckpointFamily describe_checkpoint_keys(const std::vector<std::string>& keys);
ModelFamily family_from_checkpoint_keys(const std::vector<std::string>& keys);

}  // namespace storyscope
