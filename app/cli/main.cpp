// storyscope-cli: every engine job, headless. `storyscope-cli help` lists the subcommands.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "app/cli/args.h"
#include "app/cli/commands.h"

namespace storyscope::cli {
std::vector<Command>& command_registry() {
  static std::vector<Command> registry;
  return registry;
}
}  // namespace storyscope::cli

namespace {
void print_usage() {
  auto& reg = storyscope::cli::command_registry();
  std::sort(reg.begin(), reg.end(),
            [](const auto& a, const auto& b) { return std::strcmp(a.name, b.name) < 0; });
  std::cout << "usage: storyscope-cli <command> [options]\n\ncommands:\n";
  for (const auto& c : reg)
    std::cout << "  " << c.name << std::string(14 - std::min<size_t>(13, std::strlen(c.name)), ' ')
              << c.summary << "\n";
  std::cout << "\nenvironment: STORYSCOPE_THREADS sets the number of CPU threads (default: all cores)\n"
               "exit codes: 0 ok, 1 internal error, 2 bad input, 3 model error, 130 cancelled\n";
}

// Debian's LibTorch starts with one thread; use every core unless told otherwise.
void configure_threads() {
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  if (const char* env = std::getenv("STORYSCOPE_THREADS")) threads = std::max(1, std::atoi(env));
  at::set_num_threads(std::max(1, threads));
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  configure_threads();
  for (const auto& c : storyscope::cli::command_registry())
    if (!std::strcmp(c.name, argv[1])) return storyscope::cli::run_command(c.name, c.fn, argc - 1, argv + 1);
  std::cerr << "storyscope-cli: unknown command \"" << argv[1] << "\" (see storyscope-cli help)\n";
  return 2;
}
