#pragma once
// `storyscope-cli shapes train`: the trainer's command line (progress bar with loss and ETA,
// Ctrl-C saves a checkpoint, loss curve PNG). Dispatched from cmd_shapes.cpp.
namespace storyscope::cli {

// argv[0] is "train"; returns the process exit code.
int run_shapes_train(int argc, char** argv);

}  // namespace storyscope::cli
