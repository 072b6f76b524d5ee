#include "core/config/clip_vision_config.h"

#include "core/config/config_checks.h"
#include "core/config/json_fields.h"

namespace storyscope {

namespace {

ClipVisionConfig read_vision_fields(const JsonFields& f) {
  ClipVisionConfig c;
  c.hidden_size = f.get_int("hidden_size", c.hidden_size);
  c.intermediate_size = f.get_int("intermediate_size", c.intermediate_size);
  c.projection_dim = f.get_int("projection_dim", c.projection_dim);
  c.num_hidden_layers = f.get_int("num_hidden_layers", c.num_hidden_layers);
  c.num_attention_heads = f.get_int("num_attention_heads", c.num_attention_heads);
  c.num_channels = f.get_int("num_channels", c.num_channels);
  c.image_size = f.get_int("image_size", c.image_size);
  c.patch_size = f.get_int("patch_size", c.patch_size);
  c.hidden_act = f.get_string("hidden_act", c.hidden_act);
  c.layer_norm_eps = f.get_double("layer_norm_eps", c.layer_norm_eps);

  for (const auto& [key, value] : {std::pair{"hidden_size", c.hidden_size},
                                   {"intermediate_size", c.intermediate_size},
                                   {"projection_dim", c.projection_dim},
                                   {"num_hidden_layers", c.num_hidden_layers},
                                   {"num_attention_heads", c.num_attention_heads},
                                   {"num_channels", c.num_channels},
                                   {"image_size", c.image_size},
                                   {"patch_size", c.patch_size}})
    require_positive(f, key, value);
  if (c.hidden_size % c.num_attention_heads != 0)
    f.fail("num_attention_heads", "hidden_size " + std::to_string(c.hidden_size) + " is not divisible by " +
                                      std::to_string(c.num_attention_heads) + " heads");
  if (c.image_size % c.patch_size != 0)
    f.fail("patch_size", "image_size " + std::to_string(c.image_size) + " is not divisible by patch_size " +
                             std::to_string(c.patch_size));
  if (!(c.layer_norm_eps > 0)) f.fail("layer_norm_eps", "must be positive");
  if (c.hidden_act != "quick_gelu" && c.hidden_act != "gelu" && c.hidden_act != "gelu_new" &&
      c.hidden_act != "gelu_pytorch_tanh")
    f.fail("hidden_act", "unsupported activation \"" + c.hidden_act +
                             "\" (supported: quick_gelu, gelu, gelu_new, gelu_pytorch_tanh)");
  return c;
}

}  // namespace

ClipTextConfig ClipVisionConfig::encoder_config() const {
  ClipTextConfig c;
  c.hidden_size = hidden_size;
  c.intermediate_size = intermediate_size;
  c.projection_dim = projection_dim;
  c.num_hidden_layers = num_hidden_layers;
  c.num_attention_heads = num_attention_heads;
  c.hidden_act = hidden_act;
  c.layer_norm_eps = layer_norm_eps;
  return c;
}

ClipVisionConfig ClipVisionConfig::from_json(const JsonFields& fields) {
  const bool nested = fields.get_string("model_type", "") == "clip" || fields.has("vision_config");
  if (!nested) return read_vision_fields(fields);
  if (!fields.has("vision_config") || !fields.doc().at("vision_config").is_object())
    fields.fail("vision_config", "expected an object");
  ClipVisionConfig c =
      read_vision_fields(JsonFields(fields.doc().at("vision_config"), fields.file() + " (vision_config)"));
  // CLIPModel sizes its visual_projection by the top-level projection_dim.
  c.projection_dim = fields.get_int("projection_dim", c.projection_dim);
  require_positive(fields, "projection_dim", c.projection_dim);
  return c;
}

ClipVisionConfig ClipVisionConfig::from_file(const std::string& path) {
  return from_json(JsonFields::from_file(path));
}

}  // namespace storyscope
