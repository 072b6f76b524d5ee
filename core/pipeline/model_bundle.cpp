#include "core/pipeline/model_bundle.h"

#include <torch/nn.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/json_fields.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/models/component_files.h"

namespace fs = std::filesystem;

namespace storyscope {
namespace {

bool is_floating(c10::ScalarType t) { return c10::isFloatingType(t); }

// model_index.json lists absent components as [null, null]; a folder without the index is read
// by which subfolders exist.
enum class Presence { Listed, ListedAbsent, NotListed };

Presence presence_in_index(const nlohmann::json& index, const std::string& name) {
  if (!index.is_object() || !index.contains(name)) return Presence::NotListed;
  const auto& v = index.at(name);
  if (v.is_array() && v.size() == 2 && !v[0].is_null() && !v[1].is_null()) return Presence::Listed;
  return Presence::ListedAbsent;
}

bool wanted(const nlohmann::json& index, const fs::path& dir, const std::string& name) {
  switch (presence_in_index(index, name)) {
    case Presence::Listed:
      return true;
    case Presence::ListedAbsent:
      return false;
    case Presence::NotListed:
      return fs::is_directory(dir / name);
  }
  return false;
}

ComponentParts read_component(const fs::path& dir, const std::string& name, const std::string& variant,
                              const std::string& what) {
  if (!fs::is_directory(dir / name))
    throw_model_error(dir.string(), name + "/",
                      "missing: a diffusers pipeline folder needs " + name + "/ (" + what + ")");
  const ComponentFiles files = locate_component((dir / name).string(), "", variant);
  ComponentParts parts;
  parts.config = JsonFields::parse_json_file(files.config);
  if (!parts.config.is_object()) throw_bad_input(files.config, "", "config must be a JSON object");
  parts.weights = load_component_weights(files);
  parts.source = files.folder;
  return parts;
}

void require_tokenizer(const std::string& dir, const std::string& model, const std::string& name) {
  if (dir.empty() || !fs::is_directory(dir))
    throw_model_error(model, name + "/",
                      "missing: the text encoder needs its tokenizer folder " + name + "/");
  for (const char* file : {"vocab.json", "merges.txt"})
    if (!fs::exists(fs::path(dir) / file))
      throw_model_error(dir, file, "missing: a CLIP tokenizer needs vocab.json and merges.txt");
}

}  // namespace

void load_weights_as(torch::nn::Module& module, TensorMap weights, c10::ScalarType dtype, c10::Device device,
                     const std::string& source) {
  at::NoGradGuard no_grad;
  for (auto& [name, t] : weights)
    if (is_floating(t.scalar_type()) && (t.scalar_type() != dtype || t.device() != device))
      t = t.to(device, dtype);
  // The module's own (uninitialised) tensors are only placeholders: retype them without
  // converting their contents, so every loaded tensor can be adopted instead of copied.
  const auto retype = [&](at::Tensor& p) {
    if (is_floating(p.scalar_type()) && (p.scalar_type() != dtype || p.device() != device))
      p.set_data(at::empty(p.sizes(), p.options().dtype(dtype).device(device)));
  };
  for (auto& p : module.parameters(true)) {
    retype(p);
    p.set_requires_grad(false);
  }
  for (auto& b : module.buffers(true)) retype(b);
  // NaN or infinite weights (a damaged download, a broken merge) would only show up as black or
  // noise images after a whole run; name them at load instead.
  if (const std::vector<std::string> bad = non_finite_tensors(weights); !bad.empty())
    throw_model_error(source, bad.front(),
                      "contains NaN or infinite values" +
                          (bad.size() > 1 ? " (" + std::to_string(bad.size() - 1) + " more tensors do too)"
                                          : std::string()));
  load_state_dict(module, weights, source);
}

ModelParts ModelBundle::read_diffusers_folder(const std::string& dir_string, const std::string& variant) {
  const fs::path dir = dir_string;
  if (!fs::is_directory(dir))
    throw_bad_input(dir_string, "", "not a folder (expected a diffusers pipeline folder)");
  ModelParts parts;
  parts.source = dir_string;
  const fs::path index_path = dir / "model_index.json";
  if (fs::exists(index_path)) parts.model_index = JsonFields::parse_json_file(index_path.string());

  parts.unet = read_component(dir, "unet", variant, "the denoising UNet");
  if (wanted(parts.model_index, dir, "vae"))
    parts.vae = read_component(dir, "vae", variant, "the latent autoencoder");
  parts.text_encoder = read_component(dir, "text_encoder", variant, "the CLIP text encoder");
  parts.tokenizer_dir = (dir / "tokenizer").string();
  require_tokenizer(parts.tokenizer_dir, dir_string, "tokenizer");
  if (wanted(parts.model_index, dir, "text_encoder_2")) {
    parts.text_encoder_2 = read_component(dir, "text_encoder_2", variant, "SDXL's second text encoder");
    parts.tokenizer_2_dir = (dir / "tokenizer_2").string();
    require_tokenizer(parts.tokenizer_2_dir, dir_string, "tokenizer_2");
  }
  const fs::path scheduler = dir / "scheduler" / "scheduler_config.json";
  if (!fs::exists(scheduler))
    throw_model_error(dir_string, "scheduler/scheduler_config.json",
                      "missing: the pipeline folder needs its scheduler config");
  parts.scheduler_config = JsonFields::parse_json_file(scheduler.string());
  parts.scheduler_source = scheduler.string();
  return parts;
}

std::shared_ptr<ModelBundle> ModelBundle::load_diffusers_folder(const std::string& dir,
                                                                const LoadSettings& settings) {
  return from_parts(read_diffusers_folder(dir, settings.variant), settings);
}

std::shared_ptr<ModelBundle> ModelBundle::from_parts(ModelParts parts, const LoadSettings& settings) {
  if (settings.dtype != at::kFloat && settings.dtype != at::kHalf && settings.dtype != at::kBFloat16)
    throw_bad_input(
        parts.source, "dtype",
        std::string("must be float32, float16 or bfloat16, not ") + c10::toString(settings.dtype));
  if (parts.text_encoder_2 && parts.tokenizer_2_dir.empty())
    throw_model_error(parts.source, "tokenizer_2/", "missing: text_encoder_2 needs its tokenizer");

  std::shared_ptr<ModelBundle> b(new ModelBundle());
  b->source_ = parts.source;
  b->dtype_ = settings.dtype;
  b->device_ = settings.device;
  b->model_index_ = parts.model_index;
  b->family_ = family_from_unet_config(parts.unet.config, parts.vae.has_value());

  b->unet_ =
      UNet2DConditionModel(UNetConfig::from_json(parts.unet.config, parts.unet.source + "/config.json"));
  load_weights_as(*b->unet_, std::move(parts.unet.weights), settings.dtype, settings.device,
                  parts.unet.source);
  b->unet_->eval();

  if (parts.vae) {
    const VAEConfig vae_config = VAEConfig::from_json(parts.vae->config, parts.vae->source + "/config.json");
    // diffusers' SDXL pipeline upcasts a force_upcast VAE for decoding (its fp16 decoder
    // overflows); loading it in float32 once does the same without casting back and forth.
    b->vae_dtype_ = settings.dtype == at::kHalf && parts.text_encoder_2 && vae_config.force_upcast
                        ? at::kFloat
                        : settings.dtype;
    b->vae_ = AutoencoderKL(vae_config);
    load_weights_as(*b->vae_, std::move(parts.vae->weights), b->vae_dtype_, settings.device,
                    parts.vae->source);
    b->vae_->eval();
  }

  {
    const ClipTextConfig config = ClipTextConfig::from_json(
        JsonFields(parts.text_encoder.config, parts.text_encoder.source + "/config.json"));
    b->text_encoder_ = CLIPTextModel(config);
    drop_ignored_clip_text_keys(parts.text_encoder.weights);
    load_weights_as(*b->text_encoder_, std::move(parts.text_encoder.weights), settings.dtype, settings.device,
                    parts.text_encoder.source);
    b->text_encoder_->eval();
  }
  require_tokenizer(parts.tokenizer_dir, parts.source, "tokenizer");
  b->tokenizer_ = ClipTokenizer::from_folder(parts.tokenizer_dir);

  if (parts.text_encoder_2) {
    auto& te2 = *parts.text_encoder_2;
    const ClipTextConfig config =
        ClipTextConfig::from_json(JsonFields(te2.config, te2.source + "/config.json"));
    b->text_encoder_2_ = CLIPTextModelWithProjection(config);
    drop_ignored_clip_text_keys(te2.weights);
    load_weights_as(*b->text_encoder_2_, std::move(te2.weights), settings.dtype, settings.device, te2.source);
    b->text_encoder_2_->eval();
    require_tokenizer(parts.tokenizer_2_dir, parts.source, "tokenizer_2");
    b->tokenizer_2_ = ClipTokenizer::from_folder(parts.tokenizer_2_dir);
  }

  b->scheduler_config_ = SchedulerConfig::from_json(parts.scheduler_config, parts.scheduler_source);

  // SDXL pipelines register force_zeros_for_empty_prompt=True by default; SD 1.x/2.x have no
  // such switch (their absent negative prompt is always encoded as "").
  bool force_zeros = b->dual_text_encoders();
  if (parts.model_index.is_object() && parts.model_index.contains("force_zeros_for_empty_prompt")) {
    const auto& v = parts.model_index.at("force_zeros_for_empty_prompt");
    if (!v.is_boolean())
      throw_bad_input(parts.source + "/model_index.json", "force_zeros_for_empty_prompt",
                      "must be true or false");
    force_zeros = v.get<bool>();
  }
  b->force_zeros_for_empty_prompt_ = force_zeros && b->dual_text_encoders();
  return b;
}

std::int64_t ModelBundle::vae_scale_factor() const {
  return has_vae() ? vae_->config().downscale_factor() : 1;
}

std::int64_t ModelBundle::latent_channels() const { return unet_->config().in_channels; }

std::int64_t ModelBundle::default_image_size() const {
  const auto& s = unet_->config().sample_size;
  return s ? *s * vae_scale_factor() : 0;
}

}  // namespace storyscope
