#include "core/config/clip_text_config.h"

#include <algorithm>

#include "core/config/config_checks.h"
#include "core/config/json_fields.h"

namespace storyscope {

using json = nlohmann::json;

namespace {

ClipTextConfig read_text_fields(const JsonFields& f) {
  ClipTextConfig c;
  c.vocab_size = f.get_int("vocab_size", c.vocab_size);
  c.hidden_size = f.get_int("hidden_size", c.hidden_size);
  c.intermediate_size = f.get_int("intermediate_size", c.intermediate_size);
  c.projection_dim = f.get_int("projection_dim", c.projection_dim);
  c.num_hidden_layers = f.get_int("num_hidden_layers", c.num_hidden_layers);
  c.num_attention_heads = f.get_int("num_attention_heads", c.num_attention_heads);
  c.max_position_embeddings = f.get_int("max_position_embeddings", c.max_position_embeddings);
  c.hidden_act = f.get_string("hidden_act", c.hidden_act);
  c.layer_norm_eps = f.get_double("layer_norm_eps", c.layer_norm_eps);
  c.bos_token_id = f.get_int("bos_token_id", c.bos_token_id);
  c.eos_token_id = f.get_int("eos_token_id", c.eos_token_id);
  c.pad_token_id = f.get_int("pad_token_id", c.pad_token_id);
  c.architectures = f.get_string_list("architectures", {});

  require_positive(f, "vocab_size", c.vocab_size);
  require_positive(f, "hidden_size", c.hidden_size);
  require_positive(f, "intermediate_size", c.intermediate_size);
  require_positive(f, "projection_dim", c.projection_dim);
  require_positive(f, "num_hidden_layers", c.num_hidden_layers);
  require_positive(f, "num_attention_heads", c.num_attention_heads);
  require_positive(f, "max_position_embeddings", c.max_position_embeddings);
  if (c.hidden_size % c.num_attention_heads != 0)
    f.fail("num_attention_heads", "hidden_size " + std::to_string(c.hidden_size) + " is not divisible by " +
                                      std::to_string(c.num_attention_heads) + " heads");
  if (!(c.layer_norm_eps > 0)) f.fail("layer_norm_eps", "must be positive");
  if (c.hidden_act != "quick_gelu" && c.hidden_act != "gelu" && c.hidden_act != "gelu_new" &&
      c.hidden_act != "gelu_pytorch_tanh")
    f.fail("hidden_act", "unsupported activation \"" + c.hidden_act +
                             "\" (supported: quick_gelu, gelu, gelu_new, gelu_pytorch_tanh)");
  return c;
}

}  // namespace

ClipActivation ClipTextConfig::activation() const {
  if (hidden_act == "quick_gelu") return ClipActivation::QuickGelu;
  if (hidden_act == "gelu") return ClipActivation::Gelu;
  if (hidden_act == "gelu_new") return ClipActivation::GeluNew;
  return ClipActivation::GeluPytorchTanh;
}

bool ClipTextConfig::has_projection() const {
  // CLIPModel's text_projection has the same key, so its weights load into the projection variant.
  return std::any_of(architectures.begin(), architectures.end(), [](const std::string& a) {
    return a == "CLIPTextModelWithProjection" || a == "CLIPModel";
  });
}

ClipTextConfig ClipTextConfig::from_json(const JsonFields& fields) {
  const json& doc = fields.doc();
  const bool nested = fields.get_string("model_type", "") == "clip" || fields.has("text_config");
  if (!nested) return read_text_fields(fields);

  // A full CLIPConfig: the text encoder's settings live in text_config (older files add a
  // text_config_dict that overrides it, as transformers merges them).
  json text = json::object();
  if (fields.has("text_config")) {
    if (!doc["text_config"].is_object()) fields.fail("text_config", "expected an object");
    text = doc["text_config"];
  }
  if (fields.has("text_config_dict")) {
    if (!doc["text_config_dict"].is_object()) fields.fail("text_config_dict", "expected an object");
    for (const auto& [key, value] : doc["text_config_dict"].items()) text[key] = value;
  }
  ClipTextConfig c = read_text_fields(JsonFields(std::move(text), fields.file() + " (text_config)"));
  // CLIPModel sizes its text_projection by the top-level projection_dim.
  c.projection_dim = fields.get_int("projection_dim", c.projection_dim);
  require_positive(fields, "projection_dim", c.projection_dim);
  const auto top_architectures = fields.get_string_list("architectures", {});
  if (!top_architectures.empty()) c.architectures = top_architectures;
  return c;
}

ClipTextConfig ClipTextConfig::from_file(const std::string& path) {
  return from_json(JsonFields::from_file(path));
}

}  // namespace storyscope
