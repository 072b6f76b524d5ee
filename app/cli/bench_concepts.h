#pragma once
// `storyscope-cli bench concepts`: Break-A-Scene measured on the demo model (core/demo/
// shapes_concepts.h) — per scene the extraction time and losses, per token how often new scenes
// keep the source object's colour/shape/pattern (and what the initializer word alone gives), and
// the token's attention IoU with its mask before and after. JSON on stdout, progress on stderr.
#include "app/cli/args.h"

namespace storyscope::cli {

int bench_concepts(const Args& args);

}  // namespace storyscope::cli
