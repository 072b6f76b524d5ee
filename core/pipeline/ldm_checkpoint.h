#pragma once
// Single-file checkpoints (original LDM / A1111 key layout: model.diffusion_model.*,
// first_stage_model.*, cond_stage_model.* or SDXL's conditioner.embedders.*) split into diffusers
// component state dicts, the way diffusers' convert_from_ckpt does. The caller supplies the UNet
// and VAE configs (the file has none). Every key is either mapped, reported in ignored_keys, or
// an Error: a key under a component prefix that the configs cannot place is never dropped.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/config/model_family.h"
#include "core/pipeline/ldm_key_table.h"
#include "core/tensor/state_dict.h"

namespace storyscope {

struct UNetConfig;
struct VAEConfig;

// SD1 / SD2 / SDXL from the text encoders; a UNet-only file is SDXL when it has label_emb and
// Unknown otherwise (describe_checkpoint_keys says why).
ModelFamily detect_checkpoint_family(const std::vector<std::string>& keys);

// The name-and-shape part of the conversion, usable without any tensor data.
struct LdmMappedKey {
  std::string component;  // "unet", "vae", "text_encoder", "text_encoder_2"
  std::string key;        // diffusers key inside the component
  std::vector<std::int64_t> shape;
  LdmTransform transform = LdmTransform::None;
};
struct LdmKeyMapping {
  std::map<std::string, std::vector<LdmMappedKey>> mapped;  // LDM key -> diffusers keys (3 for in_proj)
  std::vector<std::string> ignored;
  ModelFamily family = ModelFamily::Unknown;
};
// Throws Error(Model) naming every LDM key under a component prefix that has no place in the
// configs, every shape a transform cannot apply to, and any two keys that map to one target.
LdmKeyMapping map_ldm_keys(const std::map<std::string, std::vector<std::int64_t>>& ldm_shapes,
                           const std::string& source, const UNetConfig& unet_cfg, const VAEConfig& vae_cfg);

struct ConvertedCheckpoint {
  TensorMap unet, vae, text_encoder, text_encoder_2;
  ModelFamily family = ModelFamily::Unknown;
  std::vector<std::string> ignored_keys;
};

// Tensors are views of `ldm` where the rename allows it (splits, 1x1 squeezes); only
// text_projection is copied (transposed).
ConvertedCheckpoint convert_ldm_checkpoint(const TensorMap& ldm, const std::string& source,
                                           const UNetConfig& unet_cfg, const VAEConfig& vae_cfg);

}  // namespace storyscope
