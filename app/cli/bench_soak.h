#pragma once
// `storyscope-cli bench soak`: many generations in one process (default: 100 on the demo model),
// the resident set size sampled after each, printed as JSON. The GUI runs for hours in one
// process, so memory that grows with every generation (a cache that never evicts, a leaked
// tensor, a store kept alive) would end in the OOM killer. The numbers are in docs/reliability.md.
#include "app/cli/args.h"

namespace storyscope::cli {

int bench_soak(const Args& args);

}  // namespace storyscope::cli
