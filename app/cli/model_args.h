#pragma once
// --model DIR|FILE [--tokenizer DIR] [--dtype fp32|bf16|fp16] [--concepts PACK ...], shared by
// the commands that run a whole model. Without --model they run the shipped demo model
// (resources/models/shapes-demo). Each --concepts folder is a concept pack (storyscope-cli
// extract, core/training/concept_pack.h) applied right after loading, so its tokens ("<asset0>")
// work in every prompt of the command; a command takes --concepts only if it lists it.
#include <memory>

#include "app/cli/args.h"
#include "core/pipeline/model_bundle.h"

namespace storyscope::cli {

std::shared_ptr<ModelBundle> load_model_from_args(const Args& args);
c10::ScalarType parse_dtype_flag(const Args& args);

}  // namespace storyscope::cli
