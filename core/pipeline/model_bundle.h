#pragma once
// One loaded text-to-image model: UNet, optional VAE (pixel-space models have none), one or two
// CLIP text encoders with their tokenizers, and the scheduler config. Built from a diffusers
// folder, or from already-converted parts (the seam for single-file checkpoints: convert the
// LDM keys to per-component TensorMaps + config documents, then call from_parts).
//
// Weights stay zero-copy views of the mmap'd safetensors when their dtype and device already
// match the requested ones; otherwise each tensor is converted once, with no second copy.
#include <ATen/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "core/config/model_family.h"
#include "core/config/scheduler_config.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/tensor/state_dict.h"
#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"

namespace storyscope {

struct LoadSettings {
  c10::ScalarType dtype = c10::ScalarType::Float;  // Float, Half or BFloat16
  c10::Device device = c10::Device(c10::DeviceType::CPU);
  // Weight file variant: "fp16" picks *.fp16.safetensors; empty prefers the plain files.
  std::string variant;
};

// A component given as a config document plus its weights (diffusers key names).
struct ComponentParts {
  nlohmann::json config;  // the component's config.json document
  TensorMap weights;
  std::string source;  // file or folder named in errors
};

// Everything a ModelBundle is made of, before any module is built.
struct ModelParts {
  std::string source;          // the model folder or checkpoint file, named in errors
  nlohmann::json model_index;  // model_index.json (or an equivalent made by a converter); may be null
  ComponentParts unet;
  std::optional<ComponentParts> vae;  // none: pixel-space model
  ComponentParts text_encoder;
  std::optional<ComponentParts> text_encoder_2;  // SDXL's CLIPTextModelWithProjection
  std::string tokenizer_dir;
  std::string tokenizer_2_dir;  // required exactly when text_encoder_2 is given
  nlohmann::json scheduler_config;
  std::string scheduler_source;
};

class ModelBundle {
 public:
  // Reads model_index.json (optional but used when present) and the unet/, vae/ (optional),
  // text_encoder/, text_encoder_2/ (optional), tokenizer/, tokenizer_2/ and scheduler/ folders.
  // Errors name the folder and the missing piece.
  static std::shared_ptr<ModelBundle> load_diffusers_folder(const std::string& dir,
                                                            const LoadSettings& settings = {});
  // Reads the parts of a diffusers folder without building modules (weights are mmap views).
  static ModelParts read_diffusers_folder(const std::string& dir, const std::string& variant = "");
  static std::shared_ptr<ModelBundle> from_parts(ModelParts parts, const LoadSettings& settings = {});

  const std::string& source() const { return source_; }
  ModelFamily family() const { return family_; }
  c10::ScalarType dtype() const { return dtype_; }
  c10::Device device() const { return device_; }

  UNet2DConditionModel& unet() { return unet_; }
  bool has_vae() const { return !vae_.is_empty(); }
  AutoencoderKL& vae() { return vae_; }  // empty holder when !has_vae()
  // dtype the VAE runs in (float32 for an SDXL VAE with force_upcast when dtype() is float16).
  c10::ScalarType vae_dtype() const { return vae_dtype_; }
  CLIPTextModel& text_encoder() { return text_encoder_; }
  bool has_text_encoder_2() const { return !text_encoder_2_.is_empty(); }
  CLIPTextModelWithProjection& text_encoder_2() { return text_encoder_2_; }
  const ClipTokenizer& tokenizer() const { return *tokenizer_; }
  const ClipTokenizer& tokenizer_2() const { return *tokenizer_2_; }  // only with text_encoder_2
  // Replaces the first tokenizer (concept packs add their placeholder tokens through it; the
  // caller grows the text encoder's embedding table to match).
  void set_tokenizer(ClipTokenizer tokenizer) { tokenizer_ = std::move(tokenizer); }
  const SchedulerConfig& scheduler_config() const { return scheduler_config_; }
  const nlohmann::json& model_index() const { return model_index_; }

  // SDXL-style prompt encoding: both encoders' penultimate states, pooled embeds, time ids.
  bool dual_text_encoders() const { return has_text_encoder_2(); }
  // model_index.json's force_zeros_for_empty_prompt (SDXL pipelines default it to true).
  bool force_zeros_for_empty_prompt() const { return force_zeros_for_empty_prompt_; }
  // Pixels per latent: 2^(VAE levels - 1), 1 without a VAE.
  std::int64_t vae_scale_factor() const;
  std::int64_t latent_channels() const;
  // diffusers' default image size: unet sample_size * vae_scale_factor (0 when unknown).
  std::int64_t default_image_size() const;

 private:
  ModelBundle() = default;

  std::string source_;
  ModelFamily family_ = ModelFamily::Unknown;
  c10::ScalarType dtype_ = c10::ScalarType::Float;
  c10::ScalarType vae_dtype_ = c10::ScalarType::Float;
  c10::Device device_ = c10::Device(c10::DeviceType::CPU);
  nlohmann::json model_index_;
  UNet2DConditionModel unet_{nullptr};
  AutoencoderKL vae_{nullptr};
  CLIPTextModel text_encoder_{nullptr};
  CLIPTextModelWithProjection text_encoder_2_{nullptr};
  std::optional<ClipTokenizer> tokenizer_, tokenizer_2_;
  SchedulerConfig scheduler_config_;
  bool force_zeros_for_empty_prompt_ = false;
};

// Loads `weights` into `module` as `dtype` on `device`: checks every key and shape first (one
// Error listing all problems, naming `source`), then adopts tensors that already have the
// right dtype and device (no copy) and converts the others once.
void load_weights_as(torch::nn::Module& module, TensorMap weights, c10::ScalarType dtype, c10::Device device,
                     const std::string& source);

}  // namespace storyscope
