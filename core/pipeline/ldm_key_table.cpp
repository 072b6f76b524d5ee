#include "core/pipeline/ldm_key_table.h"

#include <algorithm>
#include <cstring>

#include "core/common/error.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"

namespace storyscope {

namespace {

constexpr const char* kUNet = "model.diffusion_model.";
constexpr const char* kVae = "first_stage_model.";
constexpr const char* kSd1Clip = "cond_stage_model.transformer.";
constexpr const char* kSd2OpenClip = "cond_stage_model.model.";
constexpr const char* kXlClip = "conditioner.embedders.0.transformer.";
constexpr const char* kXlOpenClip = "conditioner.embedders.1.model.";

using Pairs = std::vector<std::pair<const char*, const char*>>;

// Module renames inside one block (LDM name, diffusers name).
const Pairs kUNetResnet = {{"in_layers.0", "norm1"},          {"in_layers.2", "conv1"},
                           {"emb_layers.1", "time_emb_proj"}, {"out_layers.0", "norm2"},
                           {"out_layers.3", "conv2"},         {"skip_connection", "conv_shortcut"}};
const Pairs kVaeResnet = {{"norm1", "norm1"},
                          {"conv1", "conv1"},
                          {"norm2", "norm2"},
                          {"conv2", "conv2"},
                          {"nin_shortcut", "conv_shortcut"}};
const Pairs kClipLayer = {{"layer_norm1", "layer_norm1"},
                          {"layer_norm2", "layer_norm2"},
                          {"mlp.fc1", "mlp.fc1"},
                          {"mlp.fc2", "mlp.fc2"},
                          {"self_attn.q_proj", "self_attn.q_proj"},
                          {"self_attn.k_proj", "self_attn.k_proj"},
                          {"self_attn.v_proj", "self_attn.v_proj"},
                          {"self_attn.out_proj", "self_attn.out_proj"}};
const Pairs kOpenClipLayer = {{"ln_1", "layer_norm1"},
                              {"ln_2", "layer_norm2"},
                              {"mlp.c_fc", "mlp.fc1"},
                              {"mlp.c_proj", "mlp.fc2"},
                              {"attn.out_proj", "self_attn.out_proj"}};

class TableBuilder {
 public:
  explicit TableBuilder(LdmKeyTable& t) : t_(t) {}

  void key(const std::string& ldm, const std::string& component, const std::string& diffusers,
           LdmTransform tr = LdmTransform::None) {
    t_.keys[ldm].push_back({component, diffusers, tr});
  }
  // A module's weight and (optionally) bias; `weight_tr` applies to the weight only.
  void module(const std::string& ldm, const std::string& component, const std::string& diffusers,
              LdmTransform weight_tr = LdmTransform::None, bool bias = true) {
    key(ldm + ".weight", component, diffusers + ".weight", weight_tr);
    if (bias) key(ldm + ".bias", component, diffusers + ".bias");
  }
  void modules(const std::string& ldm, const std::string& component, const std::string& diffusers,
               const Pairs& pairs) {
    for (const auto& [l, d] : pairs) module(ldm + "." + l, component, diffusers + "." + d);
  }
  void ignore(const std::string& ldm) { t_.ignored.insert(ldm); }
  void ignore_module(const std::string& ldm) {
    ignore(ldm + ".weight");
    ignore(ldm + ".bias");
  }

 private:
  LdmKeyTable& t_;
};

// SpatialTransformer (LDM) = Transformer2DModel (diffusers): same names below the block.
void add_transformer(TableBuilder& b, const std::string& ldm, const std::string& diff, std::int64_t depth,
                     bool linear_projection) {
  const std::string u = "unet";
  const auto proj = linear_projection ? LdmTransform::AsLinear : LdmTransform::AsConv1x1;
  b.module(ldm + ".norm", u, diff + ".norm");
  b.module(ldm + ".proj_in", u, diff + ".proj_in", proj);
  b.module(ldm + ".proj_out", u, diff + ".proj_out", proj);
  for (std::int64_t d = 0; d < depth; ++d) {
    const std::string tb = ".transformer_blocks." + std::to_string(d);
    for (const char* n : {".norm1", ".norm2", ".norm3", ".ff.net.0.proj", ".ff.net.2"})
      b.module(ldm + tb + n, u, diff + tb + n);
    for (const char* a : {".attn1", ".attn2"}) {
      for (const char* p : {".to_q", ".to_k", ".to_v"})
        b.module(ldm + tb + a + p, u, diff + tb + a + p, LdmTransform::None, /*bias=*/false);
      b.module(ldm + tb + a + ".to_out.0", u, diff + tb + a + ".to_out.0");
    }
  }
}

void add_unet(TableBuilder& b, const UNetConfig& c) {
  const std::string P = kUNet, u = "unet";
  const std::size_t n = c.num_levels();
  if (c.layers_per_block.size() != n || c.transformer_layers_per_block.size() != n ||
      c.down_block_types.size() != n || c.up_block_types.size() != n)
    throw_model_error(c.source, "block lists", "per-level lists must have one entry per down block");
  if (c.mid_block_type && *c.mid_block_type != "UNetMidBlock2DCrossAttn")
    throw_model_error(
        c.source, "mid_block_type",
        "single-file checkpoints are converted for UNetMidBlock2DCrossAttn only, not " + *c.mid_block_type);

  b.module(P + "time_embed.0", u, "time_embedding.linear_1");
  b.module(P + "time_embed.2", u, "time_embedding.linear_2");
  if (c.has_text_time()) {  // SDXL's label_emb = Sequential(Sequential(Linear, SiLU, Linear))
    b.module(P + "label_emb.0.0", u, "add_embedding.linear_1");
    b.module(P + "label_emb.0.2", u, "add_embedding.linear_2");
  }
  b.module(P + "input_blocks.0.0", u, "conv_in");
  b.module(P + "out.0", u, "conv_norm_out");
  b.module(P + "out.2", u, "conv_out");

  // LDM numbers the down path as one flat list: [conv_in], then per level its resnet(+attention)
  // layers and, except at the bottom, a downsampler.
  int k = 1;
  for (std::size_t i = 0; i < n; ++i) {
    const bool attn = UNetConfig::is_cross_attn_block(c.down_block_types[i]);
    const std::string down = "down_blocks." + std::to_string(i);
    for (std::int64_t j = 0; j < c.layers_per_block[i]; ++j, ++k) {
      const std::string ib = P + "input_blocks." + std::to_string(k);
      b.modules(ib + ".0", u, down + ".resnets." + std::to_string(j), kUNetResnet);
      if (attn)
        add_transformer(b, ib + ".1", down + ".attentions." + std::to_string(j),
                        c.transformer_layers_per_block[i], c.use_linear_projection);
    }
    if (i + 1 < n)
      b.module(P + "input_blocks." + std::to_string(k++) + ".0.op", u, down + ".downsamplers.0.conv");
  }

  if (c.mid_block_type) {
    b.modules(P + "middle_block.0", u, "mid_block.resnets.0", kUNetResnet);
    add_transformer(b, P + "middle_block.1", "mid_block.attentions.0", c.transformer_layers_per_block.back(),
                    c.use_linear_projection);
    b.modules(P + "middle_block.2", u, "mid_block.resnets.1", kUNetResnet);
  }

  // Up path: level n-1-u, one more layer than the down path; the upsampler sits after the
  // attention of the level's last layer.
  k = 0;
  for (std::size_t up = 0; up < n; ++up) {
    const std::size_t level = n - 1 - up;
    const bool attn = UNetConfig::is_cross_attn_block(c.up_block_types[up]);
    const std::string ub = "up_blocks." + std::to_string(up);
    const std::int64_t layers = c.layers_per_block[level] + 1;
    for (std::int64_t j = 0; j < layers; ++j, ++k) {
      const std::string ob = P + "output_blocks." + std::to_string(k);
      b.modules(ob + ".0", u, ub + ".resnets." + std::to_string(j), kUNetResnet);
      if (attn)
        add_transformer(b, ob + ".1", ub + ".attentions." + std::to_string(j),
                        c.transformer_layers_per_block[level], c.use_linear_projection);
      if (j + 1 == layers && up + 1 < n)
        b.module(ob + (attn ? ".2" : ".1") + ".conv", u, ub + ".upsamplers.0.conv");
    }
  }
}

void add_vae_mid(TableBuilder& b, const std::string& ldm, const std::string& diff, bool attention) {
  const std::string v = "vae";
  b.modules(ldm + ".block_1", v, diff + ".resnets.0", kVaeResnet);
  b.modules(ldm + ".block_2", v, diff + ".resnets.1", kVaeResnet);
  if (!attention) return;
  const std::string a = diff + ".attentions.0";
  b.module(ldm + ".attn_1.norm", v, a + ".group_norm");
  b.module(ldm + ".attn_1.q", v, a + ".to_q", LdmTransform::AsLinear);
  b.module(ldm + ".attn_1.k", v, a + ".to_k", LdmTransform::AsLinear);
  b.module(ldm + ".attn_1.v", v, a + ".to_v", LdmTransform::AsLinear);
  b.module(ldm + ".attn_1.proj_out", v, a + ".to_out.0", LdmTransform::AsLinear);
}

void add_vae(TableBuilder& b, const VAEConfig& c) {
  const std::string P = kVae, v = "vae";
  const std::size_t n = c.block_out_channels.size();
  for (const char* part : {"encoder", "decoder"}) {
    const std::string e = P + part, d = part;
    b.module(e + ".conv_in", v, d + ".conv_in");
    b.module(e + ".conv_out", v, d + ".conv_out");
    b.module(e + ".norm_out", v, d + ".conv_norm_out");
    add_vae_mid(b, e + ".mid", d + ".mid_block", c.mid_block_add_attention);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string ldm = P + "encoder.down." + std::to_string(i);
    const std::string diff = "encoder.down_blocks." + std::to_string(i);
    for (std::int64_t j = 0; j < c.layers_per_block; ++j)
      b.modules(ldm + ".block." + std::to_string(j), v, diff + ".resnets." + std::to_string(j), kVaeResnet);
    if (i + 1 < n) b.module(ldm + ".downsample.conv", v, diff + ".downsamplers.0.conv");
  }
  // LDM numbers decoder levels bottom-up (up.{n-1} runs first), diffusers in running order.
  for (std::size_t i = 0; i < n; ++i) {
    const std::string ldm = P + "decoder.up." + std::to_string(n - 1 - i);
    const std::string diff = "decoder.up_blocks." + std::to_string(i);
    for (std::int64_t j = 0; j <= c.layers_per_block; ++j)
      b.modules(ldm + ".block." + std::to_string(j), v, diff + ".resnets." + std::to_string(j), kVaeResnet);
    if (i + 1 < n) b.module(ldm + ".upsample.conv", v, diff + ".upsamplers.0.conv");
  }
  if (c.use_quant_conv) b.module(P + "quant_conv", v, "quant_conv");
  if (c.use_post_quant_conv) b.module(P + "post_quant_conv", v, "post_quant_conv");
}

// transformers' CLIPTextModel layout under `prefix` (already the diffusers names).
void add_hf_clip(TableBuilder& b, const std::string& prefix, const std::string& comp, int layers) {
  const std::string t = "text_model.";
  b.key(prefix + t + "embeddings.token_embedding.weight", comp, t + "embeddings.token_embedding.weight");
  b.key(prefix + t + "embeddings.position_embedding.weight", comp,
        t + "embeddings.position_embedding.weight");
  b.module(prefix + t + "final_layer_norm", comp, t + "final_layer_norm");
  for (int i = 0; i < layers; ++i) {
    const std::string l = t + "encoder.layers." + std::to_string(i);
    b.modules(prefix + l, comp, l, kClipLayer);
  }
}

// OpenCLIP's text tower under `prefix`. Layers from `used` on are known but unused (SD2 takes
// the penultimate layer, so diffusers' SD2 text encoder has one layer less than the file).
void add_open_clip(TableBuilder& b, const std::string& prefix, const std::string& comp, int layers, int used,
                   bool projection) {
  const std::string t = "text_model.";
  b.key(prefix + "token_embedding.weight", comp, t + "embeddings.token_embedding.weight");
  b.key(prefix + "positional_embedding", comp, t + "embeddings.position_embedding.weight");
  b.module(prefix + "ln_final", comp, t + "final_layer_norm");
  for (int i = 0; i < layers; ++i) {
    const std::string ldm = prefix + "transformer.resblocks." + std::to_string(i);
    const std::string diff = t + "encoder.layers." + std::to_string(i);
    if (i >= used) {
      for (const auto& [l, d] : kOpenClipLayer) b.ignore_module(ldm + "." + l);
      b.ignore(ldm + ".attn.in_proj_weight");
      b.ignore(ldm + ".attn.in_proj_bias");
      continue;
    }
    b.modules(ldm, comp, diff, kOpenClipLayer);
    for (const char* kind : {"weight", "bias"}) {
      const std::string fused = ldm + ".attn.in_proj_" + kind;
      b.key(fused, comp, diff + ".self_attn.q_proj." + kind, LdmTransform::SplitQ);
      b.key(fused, comp, diff + ".self_attn.k_proj." + kind, LdmTransform::SplitK);
      b.key(fused, comp, diff + ".self_attn.v_proj." + kind, LdmTransform::SplitV);
    }
  }
  if (projection)
    b.key(prefix + "text_projection", comp, "text_projection.weight", LdmTransform::Transpose);
  else
    b.ignore(prefix + "text_projection");
}

// No text encoder of an SD family has more than 32 layers. A higher index is a wrong key (left
// unmapped, so it is reported) and must not size the table: 16 keys a layer, so a file naming
// layer 999999 would otherwise build millions of entries (found by tests/fuzz/fuzz_ldm_keys).
constexpr int kMaxTextLayers = 128;

int count_layers(const std::vector<std::string>& keys, const std::string& prefix) {
  int layers = 0;
  for (const auto& k : keys) {
    if (k.compare(0, prefix.size(), prefix) != 0) continue;
    const auto end = k.find('.', prefix.size());
    const std::string index =
        k.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
    if (index.empty() ||
        !std::all_of(index.begin(), index.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      continue;  // a malformed layer key: left unmapped, so it is reported
    if (index.size() > 3 || std::stoi(index) >= kMaxTextLayers) continue;
    layers = std::max(layers, std::stoi(index) + 1);
  }
  return layers;
}

}  // namespace

const std::vector<LdmComponentPrefix>& ldm_component_prefixes() {
  static const std::vector<LdmComponentPrefix> p = {{kUNet, "unet"},
                                                    {kVae, "vae"},
                                                    {kSd1Clip, "text_encoder"},
                                                    {kSd2OpenClip, "text_encoder"},
                                                    {kXlClip, "text_encoder"},
                                                    {kXlOpenClip, "text_encoder_2"},
                                                    {"conditioner.", "text_encoder"},
                                                    {"cond_stage_model.", "text_encoder"}};
  return p;
}

LdmTextLayers count_ldm_text_layers(const std::vector<std::string>& keys) {
  LdmTextLayers t;
  t.sd1_clip = count_layers(keys, std::string(kSd1Clip) + "text_model.encoder.layers.");
  t.sd2_openclip = count_layers(keys, std::string(kSd2OpenClip) + "transformer.resblocks.");
  t.sdxl_clip = count_layers(keys, std::string(kXlClip) + "text_model.encoder.layers.");
  t.sdxl_openclip = count_layers(keys, std::string(kXlOpenClip) + "transformer.resblocks.");
  return t;
}

LdmKeyTable build_ldm_key_table(const UNetConfig& unet, const VAEConfig& vae, const LdmTextLayers& text) {
  LdmKeyTable t;
  TableBuilder b(t);
  add_unet(b, unet);
  add_vae(b, vae);
  if (text.sd1_clip) add_hf_clip(b, kSd1Clip, "text_encoder", text.sd1_clip);
  if (text.sd2_openclip)
    add_open_clip(b, kSd2OpenClip, "text_encoder", text.sd2_openclip, text.sd2_openclip - 1, false);
  if (text.sdxl_clip) add_hf_clip(b, kXlClip, "text_encoder", text.sdxl_clip);
  if (text.sdxl_openclip)
    add_open_clip(b, kXlOpenClip, "text_encoder_2", text.sdxl_openclip, text.sdxl_openclip, true);
  return t;
}

std::string normalized_ldm_key(const std::string& key) {
  const std::string p = kSd1Clip;
  if (key.compare(0, p.size(), p) != 0) return key;
  for (const char* part : {"embeddings.", "encoder.", "final_layer_norm."})
    if (key.compare(p.size(), std::strlen(part), part) == 0) return p + "text_model." + key.substr(p.size());
  return key;
}

bool is_ignorable_ldm_key(const std::string& key) {
  const auto ends_with = [&](const std::string& s) {
    return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
  };
  return ends_with(".position_ids") || ends_with(".logit_scale") || ends_with(".attn_mask") ||
         key.compare(0, 23, "first_stage_model.loss.") == 0;
}

std::vector<std::int64_t> transformed_shape(LdmTransform t, const std::vector<std::int64_t>& s) {
  switch (t) {
    case LdmTransform::None:
      return s;
    case LdmTransform::AsLinear:
      if (s.size() == 2) return s;
      if (s.size() == 4 && s[2] == 1 && s[3] == 1) return {s[0], s[1]};
      return {};
    case LdmTransform::AsConv1x1:
      if (s.size() == 4 && s[2] == 1 && s[3] == 1) return s;
      if (s.size() == 2) return {s[0], s[1], 1, 1};
      return {};
    case LdmTransform::Transpose:
      if (s.size() != 2) return {};
      return {s[1], s[0]};
    case LdmTransform::SplitQ:
    case LdmTransform::SplitK:
    case LdmTransform::SplitV: {
      if (s.empty() || s[0] % 3 != 0) return {};
      auto r = s;
      r[0] /= 3;
      return r;
    }
  }
  return {};
}

const char* transform_name(LdmTransform t) {
  switch (t) {
    case LdmTransform::None:
      return "none";
    case LdmTransform::AsLinear:
      return "conv 1x1 -> linear";
    case LdmTransform::AsConv1x1:
      return "linear -> conv 1x1";
    case LdmTransform::Transpose:
      return "transpose";
    case LdmTransform::SplitQ:
      return "fused in_proj, q third";
    case LdmTransform::SplitK:
      return "fused in_proj, k third";
    case LdmTransform::SplitV:
      return "fused in_proj, v third";
  }
  return "?";
}

}  // namespace storyscope
