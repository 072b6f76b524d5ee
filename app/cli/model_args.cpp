#include "app/cli/model_args.h"

#include <filesystem>
#include <iostream>
#include <vector>

#include "core/common/error.h"
#include "core/pipeline/model_loader.h"
#include "core/training/concept_pack.h"

namespace storyscope::cli {

c10::ScalarType parse_dtype_flag(const Args& args) {
  const std::string name = args.get("dtype").value_or("fp32");
  if (name == "fp32" || name == "float32") return c10::ScalarType::Float;
  if (name == "bf16" || name == "bfloat16") return c10::ScalarType::BFloat16;
  if (name == "fp16" || name == "float16") return c10::ScalarType::Half;
  throw_bad_input("", "--dtype", "\"" + name + "\" is not one of fp32, bf16, fp16");
}

std::shared_ptr<ModelBundle> load_model_from_args(const Args& args) {
  LoadSettings settings;
  settings.dtype = parse_dtype_flag(args);
  ModelLocation where;
  if (const auto model = args.get("model")) {
    where.path = *model;
  } else {
    // Without --model the shipped demo model runs, so every command works offline out of the box.
    where.path = demo_model_dir();
    if (where.path.empty())
      throw_bad_input("", "--model",
                      "is required: the demo model (resources/models/shapes-demo) is not installed");
  }
  where.config_dir = args.get("config-from").value_or("");
  where.tokenizer_dir = args.get("tokenizer").value_or("");
  // The packs are read first, so a missing or broken one fails before the (slow) model load;
  // apply_concept_packs checks every pack against the model before changing anything, so a
  // foreign pack or a token clash leaves no half-changed model either.
  const std::vector<std::string> dirs = args.get_all("concepts");
  std::vector<ConceptPack> packs;
  for (const std::string& dir : dirs) packs.push_back(load_concept_pack(dir));
  auto bundle = load_model(where, settings);
  if (!packs.empty()) {
    apply_concept_packs(*bundle, packs);
    for (std::size_t i = 0; i < packs.size(); ++i) {
      std::cerr << "concepts from " << dirs[i] << ":";
      for (const LearnedConcept& c : packs[i].concepts)
        std::cerr << " " << c.token << (c.init_word.empty() ? "" : " (" + c.init_word + ")");
      std::cerr << "\n";
    }
  }
  return bundle;
}

}  // namespace storyscope::cli
