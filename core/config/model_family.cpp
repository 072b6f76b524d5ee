#include "core/config/model_family.h"

#include <algorithm>

namespace storyscope {

const char* family_name(ModelFamily f) {
  switch (f) {
    case ModelFamily::SD1: return "sd1";
    case ModelFamily::SD2: return "sd2";
    case ModelFamily::SDXL: return "sdxl";
    case ModelFamily::PixelSpace: return "pixel-space";
    case ModelFamily::Unknown: return "unknown";
  }
  return "unknown";
}

ModelFamily family_from_unet_config(const nlohmann::json& cfg, bool has_vae) {
  if (!has_vae) return ModelFamily::PixelSpace;
  const auto get = [&](const char* key) { return cfg.contains(key) ? cfg[key] : nlohmann::json(); };
  if (get("addition_embed_type") == "text_time") return ModelFamily::SDXL;
  const auto cross = get("cross_attention_dim");
  const auto linear = get("use_linear_projection");
  if (cross == 768) return ModelFamily::SD1;
  if (cross == 1024 || (linear.is_boolean() && linear.get<bool>())) return ModelFamily::SD2;
  return ModelFamily::Unknown;
}

ModelFamily family_from_checkpoint_keys(const std::vector<std::string>& keys) {
  const auto any_prefix = [&](const std::string& p) {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return k.compare(0, p.size(), p) == 0; });
  };
  if (any_prefix("conditioner.embedders.1.")) return ModelFamily::SDXL;
  if (any_prefix("cond_stage_model.model.")) return ModelFamily::SD2;  // OpenCLIP ViT-H
  if (any_prefix("cond_stage_model.transformer.")) return ModelFamily::SD1;
  if (any_prefix("model.diffusion_model.")) return ModelFamily::Unknown;
  return ModelFamily::Unknown;
}

}  // namespace storyscope
