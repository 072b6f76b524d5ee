#pragma once
// transformers' CLIPTextConfig (4.38 defaults), read from a text encoder's config.json or from
// the "text_config" of a full CLIPConfig file.
#include <cstdint>
#include <string>
#include <vector>

namespace storyscope {

class JsonFields;

enum class ClipActivation {
  QuickGelu,        // "quick_gelu": x * sigmoid(1.702 x) (OpenAI CLIP, SD 1.x)
  Gelu,             // "gelu": exact erf form (OpenCLIP, SD 2.x, SDXL text_encoder_2)
  GeluNew,          // "gelu_new": transformers' explicit tanh formula
  GeluPytorchTanh,  // "gelu_pytorch_tanh": the same approximation, torch's kernel
};

struct ClipTextConfig {
  std::int64_t vocab_size = 49408;
  std::int64_t hidden_size = 512;
  std::int64_t intermediate_size = 2048;
  std::int64_t projection_dim = 512;
  std::int64_t num_hidden_layers = 12;
  std::int64_t num_attention_heads = 8;
  std::int64_t max_position_embeddings = 77;
  std::string hidden_act = "quick_gelu";
  double layer_norm_eps = 1e-5;
  // transformers >= 4.31 defaults; real SD configs all carry the old 0/1/2, which selects the
  // legacy argmax pooling rule.
  std::int64_t bos_token_id = 49406;
  std::int64_t eos_token_id = 49407;
  std::int64_t pad_token_id = 1;
  std::vector<std::string> architectures;

  ClipActivation activation() const;
  std::int64_t head_dim() const { return hidden_size / num_attention_heads; }
  bool has_projection() const;  // architectures name CLIPTextModelWithProjection
  // transformers' pooling: eos_token_id == 2 means the legacy "argmax of the ids" rule.
  bool legacy_eos_pooling() const { return eos_token_id == 2; }

  // Reads a CLIPTextConfig, or the text_config of a CLIPConfig (model_type "clip"). Unknown keys
  // are ignored; bad types, unsupported hidden_act and impossible sizes are Errors naming the key.
  static ClipTextConfig from_json(const JsonFields& fields);
  static ClipTextConfig from_file(const std::string& path);
};

}  // namespace storyscope
