#pragma once
// Full-size models without weight files, for benchmarks: the configs of a diffusers folder
// (--config-from, e.g. resources/configs/sd15) with splitmix weights and the tokenizer of
// --tokenizer (--tokenizer-2 for SDXL's second, defaulting to the first).
#include <memory>

#include "app/cli/args.h"
#include "core/pipeline/model_bundle.h"

namespace storyscope::cli {

std::shared_ptr<ModelBundle> synthetic_bundle(const Args& args);

}  // namespace storyscope::cli
