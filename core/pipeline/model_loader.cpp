#include "core/pipeline/model_loader.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/config/model_family.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/pipeline/ldm_checkpoint.h"
#include "core/tensor/safetensors.h"

#ifndef STORYSCOPE_RESOURCES_DIR
#define STORYSCOPE_RESOURCES_DIR "resources"
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace storyscope {
namespace {

std::string config_home() {
  if (const char* env = std::getenv("STORYSCOPE_CONFIG_HOME")) return env;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME")) return (fs::path(xdg) / "storyscope").string();
  if (const char* home = std::getenv("HOME")) return (fs::path(home) / ".config" / "storyscope").string();
  return ".storyscope";
}

std::string tokenizers_file() { return (fs::path(config_home()) / "tokenizers.json").string(); }

json read_json_or_empty(const std::string& path) {
  if (!fs::exists(path)) return json::object();
  return JsonFields::parse_json_file(path);
}

bool is_tokenizer_folder(const fs::path& p) {
  return fs::exists(p / "vocab.json") && fs::exists(p / "merges.txt");
}

// A folder with vocab.json itself, or one holding tokenizer/ (and tokenizer_2/).
std::pair<std::string, std::string> tokenizer_dirs(const fs::path& dir, bool need_second) {
  if (is_tokenizer_folder(dir) && !need_second) return {dir.string(), ""};
  if (is_tokenizer_folder(dir / "tokenizer")) {
    const std::string second = is_tokenizer_folder(dir / "tokenizer_2") ? (dir / "tokenizer_2").string() : "";
    if (!need_second || !second.empty()) return {(dir / "tokenizer").string(), second};
  }
  return {"", ""};
}

ComponentParts component(const fs::path& config_dir, const char* name, TensorMap weights,
                         const std::string& source) {
  ComponentParts part;
  part.config = JsonFields::parse_json_file((config_dir / name / "config.json").string());
  part.weights = std::move(weights);
  part.source = source;
  return part;
}

std::shared_ptr<ModelBundle> load_single_file(const ModelLocation& where, const LoadSettings& settings) {
  auto file = SafetensorsFile::open(where.path);
  const TensorMap ldm = tensors_of(file);
  std::vector<std::string> keys;
  for (const auto& [k, t] : ldm) keys.push_back(k);
  const ModelFamily family = detect_checkpoint_family(keys);
  if (family == ModelFamily::Unknown || family == ModelFamily::PixelSpace)
    throw_model_error(where.path, "",
                      "not a Stable Diffusion single-file checkpoint StoryScope can read (" +
                          describe_checkpoint_keys(keys).explanation + ")");
  const fs::path config_dir =
      where.config_dir.empty() ? fs::path(builtin_config_dir(family)) : fs::path(where.config_dir);
  if (!fs::exists(config_dir / "unet" / "config.json"))
    throw_bad_input(config_dir.string(), "",
                    "no unet/config.json: --config-from needs a diffusers model folder");

  const UNetConfig unet_cfg = UNetConfig::from_file((config_dir / "unet" / "config.json").string());
  const VAEConfig vae_cfg = VAEConfig::from_file((config_dir / "vae" / "config.json").string());
  ConvertedCheckpoint converted = convert_ldm_checkpoint(ldm, where.path, unet_cfg, vae_cfg);
  const bool dual = family == ModelFamily::SDXL;

  // Tokenizer: given now (and remembered), in the config folder, or remembered from before.
  std::pair<std::string, std::string> tok;
  if (!where.tokenizer_dir.empty()) {
    tok = tokenizer_dirs(where.tokenizer_dir, dual);
    if (tok.first.empty())
      throw_bad_input(
          where.tokenizer_dir, "--tokenizer",
          dual ? "needs a folder holding tokenizer/ and tokenizer_2/ (each with vocab.json and merges.txt)"
               : "needs a folder with vocab.json and merges.txt (or one holding tokenizer/)");
    remember_tokenizer_dir(family, where.tokenizer_dir);
  } else {
    tok = tokenizer_dirs(config_dir, dual);
    if (tok.first.empty()) {
      const std::string remembered = remembered_tokenizer_dir(family);
      if (!remembered.empty()) tok = tokenizer_dirs(remembered, dual);
    }
  }
  if (tok.first.empty())
    throw_bad_input(
        where.path, "tokenizer",
        std::string("a single-file checkpoint has no tokenizer files: point to a tokenizer folder once "
                    "with --tokenizer DIR (") +
            (dual ? "a folder holding tokenizer/ and tokenizer_2/, e.g. an SDXL diffusers model"
                  : "vocab.json + merges.txt, e.g. a diffusers model's tokenizer/ folder") +
            "); StoryScope remembers it for " + family_name(family) + " models");

  ModelParts parts;
  parts.source = where.path;
  parts.model_index = read_json_or_empty((config_dir / "model_index.json").string());
  parts.unet = component(config_dir, "unet", std::move(converted.unet), where.path);
  parts.vae = component(config_dir, "vae", std::move(converted.vae), where.path);
  parts.text_encoder = component(config_dir, "text_encoder", std::move(converted.text_encoder), where.path);
  if (dual)
    parts.text_encoder_2 =
        component(config_dir, "text_encoder_2", std::move(converted.text_encoder_2), where.path);
  parts.tokenizer_dir = tok.first;
  parts.tokenizer_2_dir = tok.second;
  parts.scheduler_source = (config_dir / "scheduler" / "scheduler_config.json").string();
  parts.scheduler_config = JsonFields::parse_json_file(parts.scheduler_source);
  return ModelBundle::from_parts(std::move(parts), settings);
}

}  // namespace

std::string resources_dir() {
  if (const char* env = std::getenv("STORYSCOPE_RESOURCES")) return env;
  return STORYSCOPE_RESOURCES_DIR;
}

std::string demo_model_dir() {
  const fs::path dir = fs::path(resources_dir()) / "models" / "shapes-demo";
  std::error_code ec;
  return fs::is_regular_file(dir / "model_index.json", ec) ? dir.string() : std::string();
}

std::string builtin_config_dir(ModelFamily family) {
  const char* name = family == ModelFamily::SD1 ? "sd15" : family == ModelFamily::SD2 ? "sd21" : "sdxl";
  return (fs::path(resources_dir()) / "configs" / name).string();
}

std::string remembered_tokenizer_dir(ModelFamily family) {
  const json doc = read_json_or_empty(tokenizers_file());
  const auto it = doc.find(family_name(family));
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

void remember_tokenizer_dir(ModelFamily family, const std::string& dir) {
  json doc = read_json_or_empty(tokenizers_file());
  if (!doc.is_object()) doc = json::object();
  doc[family_name(family)] = fs::absolute(dir).string();
  fs::create_directories(config_home());
  write_file_atomically(tokenizers_file(), doc.dump(2) + "\n");
}

std::shared_ptr<ModelBundle> load_model(const ModelLocation& where, const LoadSettings& settings) {
  if (!fs::exists(where.path)) throw_bad_input(where.path, "", "no such file or folder");
  if (fs::is_directory(where.path)) {
    if (!where.config_dir.empty())
      throw_bad_input(where.config_dir, "--config-from", "only applies to single-file checkpoints");
    return ModelBundle::load_diffusers_folder(where.path, settings);
  }
  return load_single_file(where, settings);
}

}  // namespace storyscope
