#pragma once
// Ctrl-C for long CLI jobs: the first SIGINT asks the job to stop after the current step
// (it writes nothing partial and exits 130); a second one ends the process at once.
#include <atomic>

namespace storyscope::cli {

void install_interrupt_handler();
bool interrupted();

}  // namespace storyscope::cli
