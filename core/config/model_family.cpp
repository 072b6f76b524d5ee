#include "core/config/model_family.h"

#include <algorithm>

namespace storyscope {

const char* family_name(ModelFamily f) {
  switch (f) {
    case ModelFamily::SD1:
      return "sd1";
    case ModelFamily::SD2:
      return "sd2";
    case ModelFamily::SDXL:
      return "sdxl";
    case ModelFamily::PixelSpace:
      return "pixel-space";
    case ModelFamily::Unknown:
      return "unknown";
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

CheckpointFamily describe_checkpoint_keys(const std::vector<std::string>& keys) {
  const auto any_prefix = [&](const std::string& p) {
    return std::any_of(keys.begin(), keys.end(),
                       [&](const std::string& k) { return k.compare(0, p.size(), p) == 0; });
  };
  CheckpointFamily r;
  r.has_unet = any_prefix("model.diffusion_model.");
  r.has_vae = any_prefix("first_stage_model.");
  const bool sd1_clip = any_prefix("cond_stage_model.transformer.");
  const bool sd2_clip = any_prefix("cond_stage_model.model.");
  const bool xl_clip_l = any_prefix("conditioner.embedders.0.transformer.");
  const bool xl_bigg = any_prefix("conditioner.embedders.1.model.");
  const bool refiner_bigg = any_prefix("conditioner.embedders.0.model.");
  const bool sdxl_unet = any_prefix("model.diffusion_model.label_emb.");
  r.has_text_encoder = sd1_clip || sd2_clip || xl_clip_l;
  r.has_text_encoder_2 = xl_bigg;

  if (xl_bigg || xl_clip_l) {
    r.family = ModelFamily::SDXL;
    r.explanation = "SDXL: conditioner.embedders.0 (CLIP ViT-L) and .1 (OpenCLIP bigG) text encoders";
  } else if (refiner_bigg) {
    r.explanation =
        "SDXL refiner layout (only an OpenCLIP bigG text encoder at conditioner.embedders.0): not supported";
  } else if (sd2_clip) {
    r.family = ModelFamily::SD2;
    r.explanation = "SD2: OpenCLIP ViT-H text encoder at cond_stage_model.model";
  } else if (sd1_clip) {
    r.family = ModelFamily::SD1;
    r.explanation = "SD1: CLIP ViT-L text encoder at cond_stage_model.transformer";
  } else if (sdxl_unet) {
    r.family = ModelFamily::SDXL;
    r.explanation = "UNet-only checkpoint with SDXL's label_emb (text_time embedding); no text encoders";
  } else if (r.has_unet) {
    r.explanation =
        "UNet-only checkpoint: SD1 and SD2 UNets share key names, so the family must be given (no text "
        "encoder "
        "in the file)";
  } else if (r.has_vae) {
    r.explanation = "VAE-only checkpoint (first_stage_model.* without model.diffusion_model.*)";
  } else {
    r.explanation =
        "not an LDM / A1111 checkpoint: no model.diffusion_model.*, first_stage_model.* or text "
        "encoder keys";
  }
  return r;
}

ModelFamily family_from_checkpoint_keys(const std::vector<std::string>& keys) {
  return describe_checkpoint_keys(keys).family;
}

}  // namespace storyscope
