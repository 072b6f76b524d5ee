#pragma once
// `storyscope-cli shapes eval`: measures a shapes-world model (fidelity, word alignment, story
// drift, time per image) and writes the JSON report and, optionally, the markdown tables for the
// docs. Dispatched from cmd_shapes.cpp.
namespace storyscope::cli {

// argv[0] is "eval"; returns the process exit code.
int run_shapes_eval(int argc, char** argv);

}  // namespace storyscope::cli
