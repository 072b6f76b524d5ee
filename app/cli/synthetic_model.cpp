#include "app/cli/synthetic_model.h"

#include <filesystem>

#include "app/cli/model_args.h"
#include "core/config/clip_text_config.h"
#include "core/config/json_fields.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/tensor/splitmix.h"
#include "core/tensor/state_dict.h"
#include "core/text/clip_text_model.h"

namespace storyscope::cli {

// A component from a config document with splitmix weights, as ModelParts wants it.
namespace {

template <typename Module, typename Config>
ComponentParts synthetic_component(const std::string& config_path) {
  ComponentParts part;
  part.config = JsonFields::parse_json_file(config_path);
  part.source = config_path + " (synthetic weights)";
  Module module(Config::from_json(part.config, config_path));
  fill_splitmix(*module);
  part.weights = state_dict_of(*module);  // the module's own tensors: the bundle adopts them
  return part;
}

}  // namespace

// Full-size models without weight files: the configs of a diffusers folder (e.g.
// resources/configs/sd15) and splitmix weights; the tokenizer comes from --tokenizer.
std::shared_ptr<ModelBundle> synthetic_bundle(const Args& args) {
  namespace fs = std::filesystem;
  const fs::path dir = args.require("config-from");
  ModelParts parts;
  parts.source = dir.string();
  parts.model_index = JsonFields::parse_json_file((dir / "model_index.json").string());
  parts.unet = synthetic_component<UNet2DConditionModel, UNetConfig>((dir / "unet/config.json").string());
  if (fs::exists(dir / "vae/config.json"))
    parts.vae = synthetic_component<AutoencoderKL, VAEConfig>((dir / "vae/config.json").string());
  const auto text_config = [](const nlohmann::json& doc, const std::string& source) {
    return ClipTextConfig::from_json(JsonFields(doc, source));
  };
  {
    ComponentParts te;
    te.config = JsonFields::parse_json_file((dir / "text_encoder/config.json").string());
    te.source = "text_encoder (synthetic weights)";
    CLIPTextModel m(text_config(te.config, te.source));
    fill_splitmix(*m);
    te.weights = state_dict_of(*m);
    parts.text_encoder = std::move(te);
  }
  const std::string tok = args.require("tokenizer");
  parts.tokenizer_dir = tok;
  if (fs::exists(dir / "text_encoder_2/config.json")) {
    ComponentParts te;
    te.config = JsonFields::parse_json_file((dir / "text_encoder_2/config.json").string());
    te.source = "text_encoder_2 (synthetic weights)";
    CLIPTextModelWithProjection m(text_config(te.config, te.source));
    fill_splitmix(*m);
    te.weights = state_dict_of(*m);
    parts.text_encoder_2 = std::move(te);
    parts.tokenizer_2_dir = args.get("tokenizer-2").value_or(tok);
  }
  parts.scheduler_source = (dir / "scheduler/scheduler_config.json").string();
  parts.scheduler_config = JsonFields::parse_json_file(parts.scheduler_source);
  LoadSettings settings;
  settings.dtype = parse_dtype_flag(args);
  return ModelBundle::from_parts(std::move(parts), settings);
}

}  // namespace storyscope::cli
