#pragma once
// transformers' CLIPVisionConfig (4.38 defaults), read from an image encoder's config.json
// (model_type "clip_vision_model") or from the "vision_config" of a full CLIPConfig file.
#include <cstdint>
#include <string>

#include "core/config/clip_text_config.h"

namespace storyscope {

class JsonFields;

struct ClipVisionConfig {
  std::int64_t hidden_size = 768;
  std::int64_t intermediate_size = 3072;
  std::int64_t projection_dim = 512;
  std::int64_t num_hidden_layers = 12;
  std::int64_t num_attention_heads = 12;
  std::int64_t num_channels = 3;
  std::int64_t image_size = 224;
  std::int64_t patch_size = 32;
  std::string hidden_act = "quick_gelu";
  double layer_norm_eps = 1e-5;

  std::int64_t num_patches() const { return (image_size / patch_size) * (image_size / patch_size); }
  std::int64_t num_positions() const { return num_patches() + 1; }  // + the class token
  // The encoder layers are the text model's (same CLIPEncoderLayer in transformers): this is
  // the text config that builds them.
  ClipTextConfig encoder_config() const;

  // Unknown keys are ignored; bad types, unsupported hidden_act and impossible sizes are Errors
  // naming the key.
  static ClipVisionConfig from_json(const JsonFields& fields);
  static ClipVisionConfig from_file(const std::string& path);
};

}  // namespace storyscope
