#pragma once
// A tiny transformers CLIPModel folder for CLIP-score tests, assembled from the fixtures: the
// image encoder of fixtures/ip_adapter, the text encoder and tokenizer of the tiny SD 1.5
// pipeline, and a fixed text projection (sin of its index, scaled) so text and image meet in
// one 32-wide space.
#include <ATen/ATen.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/common/atomic_file.h"
#include "core/config/json_fields.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

namespace storyscope::testing {

inline void write_tiny_clip_model(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir / "tokenizer");
  const std::string text_dir = fixture("e2e/tiny_sd15_pipeline/text_encoder");
  const std::string vision_dir = fixture("ip_adapter/image_encoder");
  const nlohmann::json config = {{"model_type", "clip"},
                                 {"architectures", {"CLIPModel"}},
                                 {"projection_dim", 32},
                                 {"text_config", JsonFields::parse_json_file(text_dir + "/config.json")},
                                 {"vision_config", JsonFields::parse_json_file(vision_dir + "/config.json")}};
  write_file_atomically((dir / "config.json").string(), config.dump(1));
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const std::string& d : {text_dir, vision_dir}) {
    const auto file = SafetensorsFile::open(d + "/model.safetensors");
    for (const auto& name : file->names()) tensors.emplace_back(name, file->tensor(name));
  }
  tensors.emplace_back("text_projection.weight",
                       at::sin(at::arange(32 * 32, at::kFloat).view({32, 32})) * 0.3);
  tensors.emplace_back("logit_scale", at::tensor(2.6592f));
  write_safetensors((dir / "model.safetensors").string(), tensors);
  for (const char* f : {"vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json"})
    fs::copy_file(fixture(std::string("e2e/tiny_sd15_pipeline/tokenizer/") + f), dir / "tokenizer" / f,
                  fs::copy_options::overwrite_existing);
}

}  // namespace storyscope::testing
