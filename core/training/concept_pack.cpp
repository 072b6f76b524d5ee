#include "core/training/concept_pack.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/json_text.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"
#include "core/training/concept_tokens.h"

namespace fs = std::filesystem;

namespace storyscope {

namespace {

using json = nlohmann::json;

constexpr const char* kFormat = "storyscope-concepts";
constexpr int kVersion = 1;
constexpr const char* kTensorsFile = "concepts.safetensors";
constexpr const char* kJsonFile = "concepts.json";
const std::string kDeltaPrefix = "delta.";

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// FNV-1a over the names and shapes: a different architecture or naming never matches.
std::string structure_digest(const std::vector<std::pair<std::string, at::Tensor>>& params) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  };
  for (const auto& [name, t] : params) mix(name + shape_to_string(t.sizes().vec()) + ";");
  return hex64(h);
}

// Rounding of the weights' dtype (a float32 probe compared with float16/bfloat16 weights).
double probe_tolerance(c10::ScalarType dtype) {
  if (dtype == at::kHalf) return 2e-3;
  if (dtype == at::kBFloat16) return 1.6e-2;
  return 1e-6;
}

bool all_finite(const at::Tensor& t) { return at::isfinite(t.to(at::kFloat)).all().item<bool>(); }

}  // namespace

std::vector<std::pair<std::string, at::Tensor>> concept_trainable_parameters(ModelBundle& bundle) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& [prefix, module] :
       {std::pair<std::string, torch::nn::Module*>{"unet.", bundle.unet().get()},
        {"text_encoder.", bundle.text_encoder().get()}})
    for (const auto& item : module->named_parameters(true))
      out.emplace_back(prefix + item.key(), item.value());
  return out;
}

ModelProbe probe_model(ModelBundle& bundle) {
  at::NoGradGuard no_grad;
  const auto params = concept_trainable_parameters(bundle);
  ModelProbe probe;
  probe.structure = structure_digest(params);
  probe.values = at::zeros({static_cast<std::int64_t>(params.size()), ModelProbe::kProbeValues}, at::kFloat);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const at::Tensor flat = params[i].second.reshape({-1});
    const auto n = std::min<std::int64_t>(flat.numel(), ModelProbe::kProbeValues);
    probe.values[static_cast<std::int64_t>(i)].narrow(0, 0, n).copy_(
        flat.narrow(0, 0, n).to(at::kCPU, at::kFloat));
  }
  return probe;
}

namespace {

// `mine`: probe_model of `bundle`, taken once for every pack checked against it.
void check_probe_against(const ModelProbe& mine, c10::ScalarType dtype, const ModelProbe& probe,
                         const std::string& source) {
  if (mine.structure != probe.structure || !probe.values.defined() ||
      mine.values.sizes() != probe.values.sizes())
    throw_bad_input(source, "base model",
                    "was made on a model of another architecture (structure " + probe.structure +
                        ", this model " + mine.structure + ")");
  const double tol = probe_tolerance(dtype);
  const at::Tensor diff = (mine.values - probe.values).abs();
  const at::Tensor allowed = probe.values.abs() * tol + 1e-6;
  if ((diff > allowed).any().item<bool>())
    throw_bad_input(source, "base model",
                    "was made on other weights of the same architecture (the pack only works on the model "
                    "it was extracted from)");
}

}  // namespace

void check_model_probe(ModelBundle& bundle, const ModelProbe& probe, const std::string& source) {
  check_probe_against(probe_model(bundle), bundle.dtype(), probe, source);
}

void save_concept_pack(const std::string& dir, const ConceptPack& pack) {
  if (pack.concepts.empty()) throw_bad_input(dir, "concepts", "a pack needs at least one concept");
  fs::create_directories(dir);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  json tokens = json::array();
  for (std::size_t i = 0; i < pack.concepts.size(); ++i) {
    const auto& c = pack.concepts[i];
    tensors.emplace_back("concept." + std::to_string(i),
                         c.embedding.detach().to(at::kCPU, at::kFloat).contiguous());
    tokens.push_back(json{{"token", c.token}, {"init_word", c.init_word}});
  }
  for (const auto& [name, delta] : pack.weight_deltas)
    tensors.emplace_back(kDeltaPrefix + name, delta.detach().to(at::kCPU, at::kHalf).contiguous());
  tensors.emplace_back("base_probe", pack.base.values.to(at::kFloat).contiguous());
  write_safetensors((fs::path(dir) / kTensorsFile).string(), tensors, {{"format", kFormat}});
  const json doc = {{"format", kFormat},
                    {"version", kVersion},
                    {"tokens", tokens},
                    {"base", {{"source", pack.base_source}, {"structure", pack.base.structure}}},
                    {"report", pack.report.is_null() ? json::object() : pack.report}};
  write_file_atomically((fs::path(dir) / kJsonFile).string(), doc.dump(2) + "\n");
}

ConceptPack load_concept_pack(const std::string& dir) {
  const std::string json_path = (fs::path(dir) / kJsonFile).string();
  const std::string tensors_path = (fs::path(dir) / kTensorsFile).string();
  if (!fs::is_directory(dir)) throw_bad_input(dir, "concept pack", "no such folder");
  for (const auto& p : {json_path, tensors_path})
    if (!fs::exists(p))
      throw_bad_input(p, "concept pack",
                      "missing (a pack folder holds concepts.json and concepts.safetensors)");
  const json doc = parse_json_text(read_file(json_path), json_path);
  if (!doc.is_object() || doc.value("format", std::string()) != kFormat)
    throw_bad_input(json_path, "format",
                    std::string("not a concept pack (\"format\": \"") + kFormat + "\" expected)");
  if (!doc.contains("version") || !doc["version"].is_number_integer() ||
      doc["version"].get<int>() != kVersion)
    throw_bad_input(json_path, "version",
                    "unsupported (this StoryScope reads version " + std::to_string(kVersion) + ")");
  if (!doc.contains("tokens") || !doc["tokens"].is_array() || doc["tokens"].empty())
    throw_bad_input(json_path, "tokens", "must be a non-empty array");

  const auto file = SafetensorsFile::open(tensors_path);
  ConceptPack pack;
  pack.source = dir;
  std::int64_t width = -1;
  for (std::size_t i = 0; i < doc["tokens"].size(); ++i) {
    const json& t = doc["tokens"][i];
    const std::string where = "tokens[" + std::to_string(i) + "]";
    if (!t.is_object() || !t.contains("token") || !t["token"].is_string())
      throw_bad_input(json_path, where, "needs a \"token\" string");
    LearnedConcept c;
    c.token = t["token"].get<std::string>();
    if (t.contains("init_word") && t["init_word"].is_string())
      c.init_word = t["init_word"].get<std::string>();
    const std::string name = "concept." + std::to_string(i);
    if (!file->contains(name)) throw_bad_input(tensors_path, name, "missing (the JSON lists more tokens)");
    c.embedding = file->tensor(name).to(at::kFloat).clone();
    if (c.embedding.dim() != 1 || (width >= 0 && c.embedding.size(0) != width))
      throw_bad_input(tensors_path, name, "must be a vector as wide as the other concepts");
    if (!all_finite(c.embedding)) throw_bad_input(tensors_path, name, "holds non-finite values");
    width = c.embedding.size(0);
    pack.concepts.push_back(std::move(c));
  }
  for (const auto& name : file->names()) {
    if (name.rfind(kDeltaPrefix, 0) != 0) continue;
    const std::string param = name.substr(kDeltaPrefix.size());
    if (param.rfind("unet.", 0) != 0 && param.rfind("text_encoder.", 0) != 0)
      throw_bad_input(tensors_path, name, "a delta must name a unet. or text_encoder. parameter");
    at::Tensor d = file->tensor(name);
    if (!all_finite(d)) throw_bad_input(tensors_path, name, "holds non-finite values");
    pack.weight_deltas[param] = d;
  }
  if (!file->contains("base_probe")) throw_bad_input(tensors_path, "base_probe", "missing");
  pack.base.values = file->tensor("base_probe").to(at::kFloat).clone();
  if (pack.base.values.dim() != 2 || pack.base.values.size(1) != ModelProbe::kProbeValues)
    throw_bad_input(tensors_path, "base_probe", "has the wrong shape");
  const json& base = doc.value("base", json::object());
  if (!base.is_object() || !base.contains("structure") || !base["structure"].is_string())
    throw_bad_input(json_path, "base.structure", "missing");
  pack.base.structure = base["structure"].get<std::string>();
  if (base.contains("source") && base["source"].is_string())
    pack.base_source = base["source"].get<std::string>();
  pack.report = doc.value("report", json::object());
  return pack;
}

void apply_concept_packs(ModelBundle& bundle, const std::vector<ConceptPack>& packs) {
  if (packs.empty()) return;
  // Every check first: a failing pack leaves the bundle untouched.
  std::vector<std::string> tokens;
  std::vector<at::Tensor> rows;
  std::map<std::string, std::string> token_pack;  // token -> the pack that brings it
  const ModelProbe mine = probe_model(bundle);
  for (const auto& pack : packs) {
    const std::string src = pack.source.empty() ? std::string("concept pack") : pack.source;
    check_probe_against(mine, bundle.dtype(), pack.base, src);
    for (const auto& c : pack.concepts) {
      // Named here, where both packs are known (add_concept_tokens would only see the token twice).
      if (const auto [it, fresh] = token_pack.emplace(c.token, src); !fresh)
        throw_bad_input(
            src, "token " + c.token,
            "is also in " + it->second + " (extract one of them again with another --token-prefix)");
      tokens.push_back(c.token);
      rows.push_back(c.embedding);
    }
  }
  const auto params = concept_trainable_parameters(bundle);
  std::map<std::string, at::Tensor> by_name(params.begin(), params.end());
  for (const auto& pack : packs)
    for (const auto& [name, delta] : pack.weight_deltas) {
      const auto it = by_name.find(name);
      if (it == by_name.end())
        throw_bad_input(pack.source, "delta." + name, "names no parameter of this model");
      if (it->second.sizes() != delta.sizes())
        throw_bad_input(pack.source, "delta." + name,
                        "shape " + shape_to_string(delta.sizes().vec()) + " but the model has " +
                            shape_to_string(it->second.sizes().vec()));
    }
  // add_concept_tokens validates tokens and widths before it changes anything.
  add_concept_tokens(bundle, tokens, at::stack(rows, 0));
  at::NoGradGuard no_grad;
  for (const auto& pack : packs)
    for (const auto& [name, delta] : pack.weight_deltas) {
      at::Tensor& p = by_name[name];
      // Summed in float32, then stored in the weights' dtype; set_data gives the parameter its
      // own memory instead of writing through an mmap view.
      p.set_data((p.to(at::kFloat) + delta.to(p.device(), at::kFloat)).to(p.scalar_type()));
    }
}

}  // namespace storyscope
