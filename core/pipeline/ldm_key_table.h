#pragma once
// Name rules from the original LDM / A1111 single-file layout (model.diffusion_model.*,
// first_stage_model.*, cond_stage_model.*, conditioner.embedders.*) to diffusers component keys.
// The table is generated from the component configs, so it lists exactly the keys a model of that
// shape can have: a key under a component prefix that is not in it is a wrong key, not a new one.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace storyscope {

struct UNetConfig;
struct VAEConfig;

// How an LDM tensor becomes its diffusers tensor.
enum class LdmTransform {
  None,
  AsLinear,   // [O, I, 1, 1] conv 1x1 -> [O, I] linear (VAE mid attention; a 2-D tensor passes as is)
  AsConv1x1,  // [O, I] -> [O, I, 1, 1] (a non-linear-projection UNet given a linear proj_in/out)
  Transpose,  // OpenCLIP text_projection (x @ P) -> nn.Linear weight P^T
  SplitQ,     // first third along dim 0 of OpenCLIP's fused attn.in_proj_{weight,bias}
  SplitK,
  SplitV,
};

struct DiffusersTarget {
  std::string component;  // "unet", "vae", "text_encoder", "text_encoder_2"
  std::string key;
  LdmTransform transform = LdmTransform::None;
};

// Where each component lives in a single file, and the layout of its text encoders.
struct LdmComponentPrefix {
  const char* prefix;
  const char* component;
};
const std::vector<LdmComponentPrefix>& ldm_component_prefixes();

// Text-encoder layers stored in the file under each text prefix (0: absent). The converter
// counts them from the keys, since the single file carries no text configs.
struct LdmTextLayers {
  int sd1_clip = 0;       // cond_stage_model.transformer.text_model (HF CLIP ViT-L)
  int sd2_openclip = 0;   // cond_stage_model.model (OpenCLIP ViT-H; diffusers drops the last layer)
  int sdxl_clip = 0;      // conditioner.embedders.0.transformer.text_model (HF CLIP ViT-L)
  int sdxl_openclip = 0;  // conditioner.embedders.1.model (OpenCLIP bigG, all layers + projection)
};
LdmTextLayers count_ldm_text_layers(const std::vector<std::string>& keys);

struct LdmKeyTable {
  std::map<std::string, std::vector<DiffusersTarget>> keys;  // LDM key -> 1 target (3 for in_proj)
  std::set<std::string> ignored;  // known keys diffusers does not use (SD2's last layer, projection)
};

// Throws Error(Model) for UNet/VAE configs this layout cannot express (e.g. other mid blocks).
LdmKeyTable build_ldm_key_table(const UNetConfig& unet, const VAEConfig& vae, const LdmTextLayers& text);

// Some older SD1 files store their CLIP without the text_model level
// (cond_stage_model.transformer.embeddings...), which A1111 repairs on load; this returns the
// text_model spelling, any other key unchanged.
std::string normalized_ldm_key(const std::string& key);

// Keys under a component prefix that are known to carry nothing diffusers loads
// (position_ids buffers, logit_scale, attn_mask, the VAE training loss).
bool is_ignorable_ldm_key(const std::string& key);

// The diffusers shape for an LDM shape; an empty result means the transform cannot apply.
std::vector<std::int64_t> transformed_shape(LdmTransform t, const std::vector<std::int64_t>& ldm_shape);

const char* transform_name(LdmTransform t);

}  // namespace storyscope
