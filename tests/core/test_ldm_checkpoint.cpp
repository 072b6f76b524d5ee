// Single-file (LDM / A1111) checkpoints -> diffusers components. The tiny SD1.5 file must give
// the diffusers folder bit for bit (diffusers' own converter does); SD2 and SDXL, which have no
// fixture files, are checked on names and shapes of the full-size models by inverting the key
// table and mapping back, plus tiny OpenCLIP/SDXL value round trips for the tensor transforms.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>
#include <set>

#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/pipeline/ldm_checkpoint.h"
#include "core/tensor/safetensors.h"
#include "core/text/clip_text_layers.h"
#include "core/text/clip_text_model.h"
#include "fixtures.h"

using namespace storyscope;
using storyscope::testing::fixture;

namespace {

using Shape = std::vector<std::int64_t>;
using ShapeMap = std::map<std::string, Shape>;
using Components = std::map<std::string, TensorMap>;

const std::string kSd15 = "e2e/tiny_sd15_pipeline/";
const std::string kSdxl = "e2e/tiny_sdxl_pipeline/";

// The built-in full-size configs (resources/configs/<family>/<component>/config.json).
std::string config_path(const std::string& family, const std::string& component) {
  return std::string(STORYSCOPE_SOURCE_DIR) + "/resources/configs/" + family + "/" + component +
         "/config.json";
}

TensorMap component_file(const std::string& folder, const std::string& comp) {
  const bool text = comp.rfind("text_encoder", 0) == 0;
  return load_safetensors(
      fixture(folder + comp + (text ? "/model.safetensors" : "/diffusion_pytorch_model.safetensors")));
}

ShapeMap shapes_of(const TensorMap& m) {
  ShapeMap s;
  for (const auto& [k, t] : m) s.emplace(k, t.sizes().vec());
  return s;
}

std::vector<std::string> keys_of(const TensorMap& m) {
  std::vector<std::string> k;
  for (const auto& e : m) k.push_back(e.first);
  return k;
}

std::string error_text(const Error& e) { return e.location() + " | " + e.rule(); }

// diffusers key "component/key" -> (LDM key, transform), from the table.
std::map<std::string, std::pair<std::string, LdmTransform>> inverse_table(const LdmKeyTable& table) {
  std::map<std::string, std::pair<std::string, LdmTransform>> inv;
  for (const auto& [ldm, targets] : table.keys)
    for (const auto& t : targets) {
      const bool fresh = inv.emplace(t.component + "/" + t.key, std::make_pair(ldm, t.transform)).second;
      if (!fresh) throw std::runtime_error("table maps two LDM keys to " + t.component + "/" + t.key);
    }
  return inv;
}

bool is_split(LdmTransform t) {
  return t == LdmTransform::SplitQ || t == LdmTransform::SplitK || t == LdmTransform::SplitV;
}

// The LDM layout of diffusers components, built by running the table backwards. Real files keep
// the VAE attention as 1x1 convs and the UNet projections as the config says.
ShapeMap ldm_shapes_from(const std::map<std::string, ShapeMap>& diffusers, const LdmKeyTable& table) {
  const auto inv = inverse_table(table);
  ShapeMap ldm;
  for (const auto& [comp, shapes] : diffusers)
    for (const auto& [key, shape] : shapes) {
      const auto it = inv.find(comp + "/" + key);
      if (it == inv.end()) throw std::runtime_error("no LDM key maps to " + comp + "/" + key);
      const auto& [lk, tr] = it->second;
      Shape s = shape;
      if (tr == LdmTransform::AsLinear && comp == "vae") s = {shape[0], shape[1], 1, 1};
      if (tr == LdmTransform::Transpose) s = {shape[1], shape[0]};
      if (is_split(tr)) s[0] *= 3;
      const auto [prev, fresh] = ldm.emplace(lk, s);
      if (!fresh && prev->second != s) throw std::runtime_error("inconsistent fused shape for " + lk);
    }
  return ldm;
}

TensorMap ldm_tensors_from(const Components& diffusers, const LdmKeyTable& table) {
  TensorMap ldm;
  for (const auto& [lk, targets] : table.keys) {
    std::vector<at::Tensor> parts;
    for (const auto& t : targets) {
      const auto c = diffusers.find(t.component);
      if (c == diffusers.end() || !c->second.count(t.key)) break;
      parts.push_back(c->second.at(t.key));
    }
    if (parts.size() != targets.size()) continue;  // not in this model (e.g. absent conv_shortcut)
    const auto tr = targets.front().transform;
    at::Tensor v = parts.front();
    if (is_split(tr)) v = at::cat(parts, 0);
    if (tr == LdmTransform::Transpose) v = v.t().contiguous();
    if (tr == LdmTransform::AsLinear && targets.front().component == "vae")
      v = v.reshape({v.size(0), v.size(1), 1, 1});
    ldm[lk] = v;
  }
  return ldm;
}

// Names and shapes of a full-size CLIP text model without building one: names from the same
// architecture at toy width (so every key the real module registers is listed), shapes from one
// real-width embeddings module and one real-width encoder layer (~330 MB for bigG instead of 2.8 GB).
ShapeMap clip_shapes(const ClipTextConfig& real, bool projection) {
  auto toy = real;
  toy.hidden_size = 8;
  toy.num_attention_heads = 2;
  toy.intermediate_size = 12;
  toy.vocab_size = 16;
  toy.projection_dim = 4;
  std::vector<std::string> names;
  if (projection)
    names = keys_of(state_dict_of(*CLIPTextModelWithProjection(toy)));
  else
    names = keys_of(state_dict_of(*CLIPTextModel(toy)));

  const ShapeMap emb = shapes_of(state_dict_of(*ClipTextEmbeddings(real)));
  const ShapeMap layer = shapes_of(state_dict_of(*ClipEncoderLayer(real)));
  ShapeMap out;
  const std::string e = "text_model.embeddings.", l = "text_model.encoder.layers.";
  for (const auto& n : names) {
    if (n.rfind(e, 0) == 0) {
      out[n] = emb.at(n.substr(e.size()));
    } else if (n.rfind(l, 0) == 0) {
      out[n] = layer.at(n.substr(n.find('.', l.size()) + 1));
    } else if (n.rfind("text_model.final_layer_norm.", 0) == 0) {
      out[n] = {real.hidden_size};
    } else if (n == "text_projection.weight") {
      out[n] = {real.projection_dim, real.hidden_size};
    } else {
      throw std::runtime_error("unexpected CLIP key " + n);
    }
  }
  return out;
}

// Maps `ldm` back and checks that every diffusers key returns exactly once with its shape.
void check_round_trip(const std::string& label, const std::map<std::string, ShapeMap>& diffusers,
                      const ShapeMap& ldm, const UNetConfig& unet, const VAEConfig& vae,
                      const std::set<std::string>& expect_ignored) {
  const auto mapping = map_ldm_keys(ldm, label, unet, vae);
  std::map<std::string, Shape> back;
  int fused = 0;
  for (const auto& [lk, targets] : mapping.mapped) {
    if (lk.find("in_proj_") != std::string::npos) {
      QCOMPARE(int(targets.size()), 3);
      ++fused;
    } else {
      QCOMPARE(int(targets.size()), 1);
    }
    for (const auto& t : targets)
      QVERIFY2(back.emplace(t.component + "/" + t.key, t.shape).second, lk.c_str());
  }
  std::size_t expected = 0;
  for (const auto& [comp, shapes] : diffusers) {
    expected += shapes.size();
    for (const auto& [key, shape] : shapes) {
      const auto it = back.find(comp + "/" + key);
      QVERIFY2(it != back.end(), (comp + "/" + key).c_str());
      QVERIFY2(it->second == shape, (comp + "/" + key + " " + shape_to_string(it->second)).c_str());
    }
  }
  QCOMPARE(back.size(), expected);
  const std::set<std::string> ignored(mapping.ignored.begin(), mapping.ignored.end());
  QCOMPARE(ignored, expect_ignored);
  qInfo("%s: %zu LDM keys -> %zu diffusers keys (%d fused in_proj split in 3), %zu ignored", label.c_str(),
        ldm.size(), back.size(), fused, ignored.size());
}

void expect_ldm(const ShapeMap& ldm, const std::string& key, const Shape& shape) {
  const auto it = ldm.find(key);
  QVERIFY2(it != ldm.end(), key.c_str());
  QVERIFY2(it->second == shape, (key + " " + shape_to_string(it->second)).c_str());
}

// Full-size diffusers UNet + VAE names and shapes. The UNet's parameters are uninitialised
// (at::empty, never touched), so even SDXL costs little resident memory.
std::map<std::string, ShapeMap> unet_vae_shapes(const UNetConfig& unet, const VAEConfig& vae) {
  std::map<std::string, ShapeMap> d;
  d["unet"] = shapes_of(state_dict_of(*UNet2DConditionModel(unet)));
  d["vae"] = shapes_of(state_dict_of(*AutoencoderKL(vae)));
  return d;
}

}  // namespace

class TestLdmCheckpoint : public QObject {
  Q_OBJECT

  TensorMap ldm_;
  UNetConfig unet_cfg_;
  VAEConfig vae_cfg_;

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    ldm_ = load_safetensors(fixture("e2e/tiny_sd15_single_file.safetensors"));
    QCOMPARE(ldm_.size(), std::size_t{512});
    unet_cfg_ = UNetConfig::from_file(fixture(kSd15 + "unet/config.json"));
    vae_cfg_ = VAEConfig::from_file(fixture(kSd15 + "vae/config.json"));
  }

  void tinySd15EqualsFolder() {
    torch::NoGradGuard no_grad;
    const auto conv = convert_ldm_checkpoint(ldm_, "tiny_sd15_single_file", unet_cfg_, vae_cfg_);
    QCOMPARE(conv.family, ModelFamily::SD1);
    QVERIFY(conv.ignored_keys.empty());
    QVERIFY(conv.text_encoder_2.empty());
    const std::map<std::string, const TensorMap*> ours = {
        {"unet", &conv.unet}, {"vae", &conv.vae}, {"text_encoder", &conv.text_encoder}};
    for (const auto& [comp, converted] : ours) {
      const auto ref = component_file(kSd15, comp);
      QCOMPARE(keys_of(*converted), keys_of(ref));
      for (const auto& [k, t] : ref) {
        const auto& c = converted->at(k);
        QVERIFY2(c.sizes() == t.sizes() && c.dtype() == t.dtype() && at::equal(c, t),
                 (comp + "/" + k).c_str());
      }
      qInfo("%s: %zu tensors, all bitwise equal", comp.c_str(), ref.size());
    }
  }

  void agreesWithKeymap() {
    const auto doc = nlohmann::json::parse(read_file(fixture("e2e/tiny_sd15_single_file.keymap.json")));
    const auto mapping = map_ldm_keys(shapes_of(ldm_), "tiny_sd15_single_file", unet_cfg_, vae_cfg_);
    QCOMPARE(mapping.mapped.size(), doc.size());
    int reshaped = 0;
    for (const auto& [lk, entry] : doc.items()) {
      const auto it = mapping.mapped.find(lk);
      QVERIFY2(it != mapping.mapped.end(), lk.c_str());
      QCOMPARE(int(it->second.size()), 1);
      const auto& m = it->second.front();
      QCOMPARE(m.component, entry.at("component").get<std::string>());
      QCOMPARE(m.key, entry.at("key").get<std::string>());
      const Shape ldm_shape = ldm_.at(lk).sizes().vec();
      if (entry.contains("diffusers_shape")) {
        ++reshaped;
        QVERIFY(ldm_shape == entry.at("ldm_shape").get<Shape>());
        QVERIFY2(m.shape == entry.at("diffusers_shape").get<Shape>(), lk.c_str());
      } else {
        QVERIFY2(m.shape == ldm_shape, lk.c_str());
      }
    }
    QCOMPARE(reshaped, 8);  // q/k/v/proj_out weights of the encoder and decoder mid attention
  }

  void familyDetection() {
    QCOMPARE(detect_checkpoint_family(keys_of(ldm_)), ModelFamily::SD1);
    const std::string u = "model.diffusion_model.input_blocks.0.0.weight";
    QCOMPARE(detect_checkpoint_family({u, "cond_stage_model.model.ln_final.weight"}), ModelFamily::SD2);
    QCOMPARE(
        detect_checkpoint_family({u, "conditioner.embedders.0.transformer.text_model.final_layer_norm.weight",
                                  "conditioner.embedders.1.model.ln_final.weight"}),
        ModelFamily::SDXL);
    QCOMPARE(detect_checkpoint_family({u, "model.diffusion_model.label_emb.0.0.weight"}), ModelFamily::SDXL);

    const auto unet_only = describe_checkpoint_keys({u});
    QCOMPARE(unet_only.family, ModelFamily::Unknown);
    QVERIFY(unet_only.has_unet && !unet_only.has_vae && !unet_only.has_text_encoder);
    QVERIFY2(QString::fromStdString(unet_only.explanation).contains("UNet-only"),
             unet_only.explanation.c_str());
    const auto refiner = describe_checkpoint_keys({u, "conditioner.embedders.0.model.ln_final.weight"});
    QCOMPARE(refiner.family, ModelFamily::Unknown);
    QVERIFY(QString::fromStdString(refiner.explanation).contains("refiner"));
    const auto none = describe_checkpoint_keys({"state_dict.foo", "epoch"});
    QCOMPARE(none.family, ModelFamily::Unknown);
    QVERIFY(QString::fromStdString(none.explanation).contains("not an LDM"));
    QVERIFY_THROWS_EXCEPTION(Error, map_ldm_keys({{"epoch", {}}}, "x.ckpt", unet_cfg_, vae_cfg_));
    qInfo("unet-only: %s", unet_only.explanation.c_str());
  }

  void unetOnlyFileConverts() {
    TensorMap unet_only;
    for (const auto& [k, t] : ldm_)
      if (k.rfind("model.diffusion_model.", 0) == 0) unet_only[k] = t;
    const auto conv = convert_ldm_checkpoint(unet_only, "unet-only", unet_cfg_, vae_cfg_);
    QCOMPARE(conv.family, ModelFamily::Unknown);
    QCOMPARE(conv.unet.size(), std::size_t{304});
    QVERIFY(conv.vae.empty() && conv.text_encoder.empty());
  }

  void corruptedKeyIsNamed() {
    const std::vector<std::pair<std::string, std::string>> renames = {
        {"model.diffusion_model.input_blocks.1.1.proj_in.weight",
         "model.diffusion_model.input_blocks.1.1.qwzx_in.weight"},
        {"model.diffusion_model.output_blocks.5.0.skip_connection.bias",
         "model.diffusion_model.output_blocks.9.0.skip_connection.bias"},
        {"first_stage_model.decoder.up.1.block.1.conv1.weight",
         "first_stage_model.decoder.up.2.block.1.conv1.weight"},
        {"cond_stage_model.transformer.text_model.encoder.layers.2.mlp.fc1.bias",
         "cond_stage_model.transformer.text_model.encoder.layers.2.mlp.garbage.bias"},
    };
    for (const auto& [from, to] : renames) {
      TensorMap bad = ldm_;
      bad[to] = bad.at(from);
      bad.erase(from);
      try {
        convert_ldm_checkpoint(bad, "corrupted.safetensors", unet_cfg_, vae_cfg_);
        QFAIL(("no error for " + to).c_str());
      } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::Model);
        QCOMPARE(e.file(), std::string("corrupted.safetensors"));
        QCOMPARE(e.location(), to);
        QVERIFY(QString::fromStdString(e.rule()).contains(QString::fromStdString(to)));
        qInfo("%s", error_text(e).c_str());
      }
    }
    // A VAE attention weight that is not a 1x1 conv cannot become a linear weight.
    TensorMap bad = ldm_;
    bad["first_stage_model.encoder.mid.attn_1.q.weight"] = at::zeros({64, 64, 3, 3});
    QVERIFY_THROWS_EXCEPTION(Error, convert_ldm_checkpoint(bad, "bad-shape", unet_cfg_, vae_cfg_));
  }

  void foreignKeysAreIgnored() {
    TensorMap with = ldm_;
    const std::set<std::string> extra = {"cond_stage_model.transformer.text_model.embeddings.position_ids",
                                         "model_ema.decay",
                                         "model_ema.num_updates",
                                         "betas",
                                         "alphas_cumprod",
                                         "cond_stage_model.transformer.logit_scale"};
    for (const auto& k : extra) with[k] = at::arange(77, at::kLong).unsqueeze(0);
    const auto conv = convert_ldm_checkpoint(with, "with-extras", unet_cfg_, vae_cfg_);
    QCOMPARE(std::set<std::string>(conv.ignored_keys.begin(), conv.ignored_keys.end()), extra);
    QCOMPARE(conv.text_encoder.size(), component_file(kSd15, "text_encoder").size());
    QVERIFY(!conv.text_encoder.count("text_model.embeddings.position_ids"));
  }

  // Older SD1 files without the text_model level in the CLIP keys.
  void clipWithoutTextModelLevel() {
    TensorMap old;
    const std::string p = "cond_stage_model.transformer.text_model.";
    for (const auto& [k, t] : ldm_)
      old[k.rfind(p, 0) == 0 ? "cond_stage_model.transformer." + k.substr(p.size()) : k] = t;
    QVERIFY(old.count("cond_stage_model.transformer.final_layer_norm.weight"));
    const auto conv = convert_ldm_checkpoint(old, "old clip layout", unet_cfg_, vae_cfg_);
    QCOMPARE(conv.family, ModelFamily::SD1);
    const auto ref = component_file(kSd15, "text_encoder");
    QCOMPARE(keys_of(conv.text_encoder), keys_of(ref));
    for (const auto& [k, t] : ref) QVERIFY2(at::equal(conv.text_encoder.at(k), t), k.c_str());
  }

  // OpenCLIP layout built from the tiny bigG-style encoder: fused in_proj and transposed
  // projection must come back as the folder's tensors (SDXL: all layers; SD2: the last dropped).
  void openClipValuesRoundTrip() {
    const auto te2 = component_file(kSdxl, "text_encoder_2");
    const auto xl_cfg = UNetConfig::from_file(fixture(kSdxl + "unet/config.json"));
    const auto xl_vae = VAEConfig::from_file(fixture(kSdxl + "vae/config.json"));
    const int layers =
        ClipTextConfig::from_file(fixture(kSdxl + "text_encoder_2/config.json")).num_hidden_layers;
    LdmTextLayers text;
    text.sdxl_openclip = layers;
    const auto xl_ldm =
        ldm_tensors_from({{"text_encoder_2", te2}}, build_ldm_key_table(xl_cfg, xl_vae, text));
    QVERIFY(xl_ldm.count("conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight"));
    QCOMPARE(xl_ldm.at("conditioner.embedders.1.model.text_projection").sizes().vec(), (Shape{32, 32}));
    const auto xl = convert_ldm_checkpoint(xl_ldm, "bigG layout", xl_cfg, xl_vae);
    QCOMPARE(xl.family, ModelFamily::SDXL);
    QCOMPARE(keys_of(xl.text_encoder_2), keys_of(te2));
    for (const auto& [k, t] : te2) QVERIFY2(at::equal(xl.text_encoder_2.at(k), t), k.c_str());

    // SD2: the same tensors as ViT-H layout; diffusers keeps layers 0..n-2.
    TensorMap sd2_ldm;
    for (const auto& [k, t] : xl_ldm) sd2_ldm["cond_stage_model.model." + k.substr(30)] = t;
    const auto sd2 = convert_ldm_checkpoint(sd2_ldm, "ViT-H layout", unet_cfg_, vae_cfg_);
    QCOMPARE(sd2.family, ModelFamily::SD2);
    QVERIFY(sd2.text_encoder_2.empty());
    std::size_t kept = 0;
    const std::string last = "text_model.encoder.layers." + std::to_string(layers - 1) + ".";
    for (const auto& [k, t] : te2) {
      if (k.rfind(last, 0) == 0 || k == "text_projection.weight") {
        QVERIFY2(!sd2.text_encoder.count(k), k.c_str());
        continue;
      }
      QVERIFY2(at::equal(sd2.text_encoder.at(k), t), k.c_str());
      ++kept;
    }
    QCOMPARE(sd2.text_encoder.size(), kept);
    QCOMPARE(sd2.ignored_keys.size(), std::size_t{13});  // last layer's 12 tensors + text_projection
  }

  // The whole tiny SDXL pipeline through the LDM layout and back, values included.
  void tinySdxlValuesRoundTrip() {
    const auto cfg = UNetConfig::from_file(fixture(kSdxl + "unet/config.json"));
    const auto vae = VAEConfig::from_file(fixture(kSdxl + "vae/config.json"));
    Components comps;
    for (const char* c : {"unet", "vae", "text_encoder", "text_encoder_2"})
      comps[c] = component_file(kSdxl, c);
    LdmTextLayers text;
    text.sdxl_clip = text.sdxl_openclip = 5;
    const auto ldm = ldm_tensors_from(comps, build_ldm_key_table(cfg, vae, text));
    QVERIFY(ldm.count("model.diffusion_model.label_emb.0.0.weight"));
    QVERIFY(ldm.count("model.diffusion_model.input_blocks.4.1.transformer_blocks.1.attn2.to_k.weight"));
    const auto conv = convert_ldm_checkpoint(ldm, "tiny sdxl layout", cfg, vae);
    QCOMPARE(conv.family, ModelFamily::SDXL);
    const std::map<std::string, const TensorMap*> ours = {{"unet", &conv.unet},
                                                          {"vae", &conv.vae},
                                                          {"text_encoder", &conv.text_encoder},
                                                          {"text_encoder_2", &conv.text_encoder_2}};
    for (const auto& [comp, converted] : ours) {
      QCOMPARE(keys_of(*converted), keys_of(comps.at(comp)));
      for (const auto& [k, t] : comps.at(comp))
        QVERIFY2(at::equal(converted->at(k), t), (comp + "/" + k).c_str());
    }
  }

  void sd2FullSizeKeysRoundTrip() {
    torch::NoGradGuard no_grad;
    const auto unet = UNetConfig::from_file(config_path("sd21", "unet"));
    const auto vae = VAEConfig::from_file(config_path("sd21", "vae"));
    const auto clip = ClipTextConfig::from_file(config_path("sd21", "text_encoder"));
    auto diffusers = unet_vae_shapes(unet, vae);
    diffusers["text_encoder"] = clip_shapes(clip, false);

    LdmTextLayers text;
    text.sd2_openclip = int(clip.num_hidden_layers) + 1;  // the file keeps the layer diffusers drops
    const auto table = build_ldm_key_table(unet, vae, text);
    ShapeMap ldm = ldm_shapes_from(diffusers, table);
    std::set<std::string> ignored(table.ignored.begin(), table.ignored.end());
    for (const auto& k : ignored) ldm[k] = {1024};
    for (const char* k : {"cond_stage_model.model.logit_scale", "model_ema.decay", "alphas_cumprod"}) {
      ldm[k] = {};
      ignored.insert(k);
    }
    QCOMPARE(int(table.ignored.size()), 13);  // resblocks.23 (12) + text_projection

    // Names as they appear in real SD 2.x files.
    expect_ldm(ldm, "cond_stage_model.model.transformer.resblocks.22.attn.in_proj_weight", {3072, 1024});
    expect_ldm(ldm, "cond_stage_model.model.positional_embedding", {77, 1024});
    expect_ldm(ldm, "model.diffusion_model.input_blocks.1.1.proj_in.weight", {320, 320});
    expect_ldm(ldm, "model.diffusion_model.output_blocks.11.1.transformer_blocks.0.attn2.to_k.weight",
               {320, 1024});
    expect_ldm(ldm, "model.diffusion_model.output_blocks.2.1.conv.weight", {1280, 1280, 3, 3});
    expect_ldm(ldm, "model.diffusion_model.output_blocks.8.2.conv.weight", {640, 640, 3, 3});
    expect_ldm(ldm, "model.diffusion_model.input_blocks.9.0.op.weight", {1280, 1280, 3, 3});
    expect_ldm(ldm, "first_stage_model.decoder.up.3.upsample.conv.weight", {512, 512, 3, 3});
    expect_ldm(ldm, "first_stage_model.decoder.mid.attn_1.q.weight", {512, 512, 1, 1});
    QCOMPARE(diffusers["unet"].size(), std::size_t{686});
    QCOMPARE(diffusers["vae"].size(), std::size_t{248});
    check_round_trip("sd21", diffusers, ldm, unet, vae, ignored);
  }

  void sdxlFullSizeKeysRoundTrip() {
    torch::NoGradGuard no_grad;
    const auto unet = UNetConfig::from_file(config_path("sdxl", "unet"));
    const auto vae = VAEConfig::from_file(config_path("sdxl", "vae"));
    const auto clip_l = ClipTextConfig::from_file(config_path("sdxl", "text_encoder"));
    const auto big_g = ClipTextConfig::from_file(config_path("sdxl", "text_encoder_2"));
    auto diffusers = unet_vae_shapes(unet, vae);
    diffusers["text_encoder"] = clip_shapes(clip_l, false);
    diffusers["text_encoder_2"] = clip_shapes(big_g, true);

    LdmTextLayers text;
    text.sdxl_clip = int(clip_l.num_hidden_layers);
    text.sdxl_openclip = int(big_g.num_hidden_layers);
    const auto table = build_ldm_key_table(unet, vae, text);
    QVERIFY(table.ignored.empty());
    ShapeMap ldm = ldm_shapes_from(diffusers, table);
    const std::set<std::string> ignored = {
        "conditioner.embedders.0.transformer.text_model.embeddings.position_ids",
        "conditioner.embedders.1.model.logit_scale"};
    for (const auto& k : ignored) ldm[k] = {1, 77};

    // Names as they appear in sd_xl_base_1.0.safetensors.
    expect_ldm(ldm, "model.diffusion_model.label_emb.0.0.weight", {1280, 2816});
    expect_ldm(ldm, "model.diffusion_model.label_emb.0.2.bias", {1280});
    expect_ldm(ldm, "model.diffusion_model.input_blocks.4.1.transformer_blocks.1.attn2.to_k.weight",
               {640, 2048});
    expect_ldm(ldm, "model.diffusion_model.input_blocks.8.1.transformer_blocks.9.ff.net.2.weight",
               {1280, 5120});
    expect_ldm(ldm, "model.diffusion_model.middle_block.1.transformer_blocks.9.norm3.bias", {1280});
    expect_ldm(ldm, "model.diffusion_model.output_blocks.2.2.conv.weight", {1280, 1280, 3, 3});
    expect_ldm(ldm, "model.diffusion_model.output_blocks.5.2.conv.weight", {640, 640, 3, 3});
    expect_ldm(ldm, "model.diffusion_model.output_blocks.6.0.skip_connection.weight", {320, 960, 1, 1});
    expect_ldm(ldm, "model.diffusion_model.input_blocks.6.0.op.weight", {640, 640, 3, 3});
    expect_ldm(ldm, "conditioner.embedders.1.model.transformer.resblocks.31.attn.in_proj_weight",
               {3840, 1280});
    expect_ldm(ldm, "conditioner.embedders.1.model.transformer.resblocks.31.attn.in_proj_bias", {3840});
    expect_ldm(ldm, "conditioner.embedders.1.model.text_projection", {1280, 1280});
    expect_ldm(ldm, "conditioner.embedders.0.transformer.text_model.encoder.layers.11.mlp.fc2.weight",
               {768, 3072});
    QVERIFY(
        !ldm.count("model.diffusion_model.output_blocks.8.2.conv.weight"));  // last up block: no upsampler
    QCOMPARE(diffusers["unet"].size(), std::size_t{1680});
    check_round_trip("sdxl", diffusers, ldm, unet, vae, ignored);
  }
};

QTEST_APPLESS_MAIN(TestLdmCheckpoint)
#include "test_ldm_checkpoint.moc"
