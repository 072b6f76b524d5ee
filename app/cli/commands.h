#pragma once
// The storyscope-cli subcommands. Each lives in its own cmd_*.cpp and registers itself here.
#include <string>
#include <vector>

namespace storyscope::cli {

using CommandFn = int (*)(int argc, char** argv);  // argv[0] is the subcommand name

struct Command {
  const char* name;
  CommandFn fn;
  const char* summary;
};

std::vector<Command>& command_registry();

struct CommandRegistrar {
  CommandRegistrar(const char* name, CommandFn fn, const char* summary) {
    command_registry().push_back({name, fn, summary});
  }
};

#define STORYSCOPE_CLI_COMMAND(name, fn, summary) \
  static ::storyscope::cli::CommandRegistrar storyscope_cli_registrar_##fn(name, fn, summary)

}  // namespace storyscope::cli

int cmd_tokenize(int argc, char** argv);
