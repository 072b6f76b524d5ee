#pragma once
// `storyscope-cli bench story`: per-frame time and peak memory of a story frame (SVR + IPCA)
// against a vanilla frame (the same identity + frame prompt through plain txt2img), same model,
// size, steps and noise. Target (issue 5): story <= 1.05x vanilla in time and memory.
#include "app/cli/args.h"

namespace storyscope::cli {

int bench_story(const Args& args);

}  // namespace storyscope::cli
