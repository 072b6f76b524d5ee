#pragma once
// A concept pack: what Break-A-Scene learned from one image, loadable into any run of the same
// base model. A folder with
//   concepts.safetensors  "concept.<i>" [D] float32: the learned embedding row of token i;
//                         "delta.unet.<param>" / "delta.text_encoder.<param>": fine-tuned minus
//                         base weights (phase 2), float16, only parameters that changed;
//                         "base_probe": ModelProbe::values of the base
//   concepts.json         format, tokens and initializer words, the base's source and structure
//                         digest, and the free-form "report" (options, losses, alignment)
//
// Why a delta and not a full copy: phase 2 moves weights by ~1e-4..1e-3 (lr 2e-6, a few hundred
// AdamW steps). A full float16 copy would round every weight to ~1e-3 of its size and lose most
// of that change; a float16 delta keeps it to ~1e-3 of the change itself, at half the bytes of a
// float32 copy, and stays tied to the base it was made on (checked by its probe), so a pack
// can never silently land on another model (ModelProbe).
#include <ATen/Tensor.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/pipeline/model_bundle.h"

namespace storyscope {

struct LearnedConcept {
  std::string token;      // "<asset0>"
  std::string init_word;  // "" when it started from the mean embedding
  at::Tensor embedding;   // [D] float32
};

// What identifies the base model a pack was made on: the names and shapes of every UNet and
// text-encoder parameter (hashed), and the first kProbeValues values of each as float32. Values
// rather than a hash of them, so a pack made on float32 weights is recognised on the same model
// loaded as float16 or bfloat16 (compared within that dtype's rounding); a different model of
// the same architecture differs far beyond it.
struct ModelProbe {
  static constexpr std::int64_t kProbeValues = 16;
  std::string structure;  // hex digest of names and shapes
  at::Tensor values;      // [parameters, kProbeValues] float32 (zeros past a small tensor's end)
};
ModelProbe probe_model(ModelBundle& bundle);
// Throws Error(BadInput) naming `source` when `bundle` is not the probed model.
void check_model_probe(ModelBundle& bundle, const ModelProbe& probe, const std::string& source);

struct ConceptPack {
  std::vector<LearnedConcept> concepts;
  std::map<std::string, at::Tensor> weight_deltas;  // "unet.<name>" / "text_encoder.<name>"
  ModelProbe base;                                  // the model it was made on
  std::string base_source;                          // where the base was loaded from (informative)
  nlohmann::json report;                            // options, losses, alignment: free-form
  std::string source;                               // the folder it was loaded from ("" if made here)
};

void save_concept_pack(const std::string& dir, const ConceptPack& pack);
// Throws Error(BadInput) naming the file and the problem (missing file, broken JSON, tokens and
// tensors that do not match, non-finite values).
ConceptPack load_concept_pack(const std::string& dir);

// Adds every pack's tokens and rows and the sum of their weight deltas to `bundle`, which must be
// the base they were all made on: probes, token clashes (with the vocabulary or between packs),
// widths and delta shapes are checked first, and nothing changes when any check fails.
// Weights that receive a delta become a private copy (the mmap'd file is never written).
void apply_concept_packs(ModelBundle& bundle, const std::vector<ConceptPack>& packs);

// The UNet and text-encoder parameters by pack name ("unet.<name>", "text_encoder.<name>").
std::vector<std::pair<std::string, at::Tensor>> concept_trainable_parameters(ModelBundle& bundle);

}  // namespace storyscope
