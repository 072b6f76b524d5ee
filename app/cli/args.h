#pragma once
// A small flag parser for the subcommands: --flag VALUE, --flag=VALUE, --switch, and
// positionals (everything after "--" is positional). Unknown or malformed flags are errors
// that name the flag.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace storyscope::cli {

class Args {
 public:
  // `value_flags` take a value (may repeat), `switches` take none.
  Args(int argc, char** argv, std::set<std::string> value_flags, std::set<std::string> switches);

  bool has(const std::string& flag) const;
  std::optional<std::string> get(const std::string& flag) const;  // last occurrence
  std::vector<std::string> get_all(const std::string& flag) const;
  std::string require(const std::string& flag) const;
  std::int64_t get_int(const std::string& flag, std::int64_t fallback) const;
  double get_double(const std::string& flag, double fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> switches_seen_;
  std::vector<std::string> positional_;
};

// Runs `body`, mapping storyscope::Error and other exceptions to a message on stderr
// ("storyscope-cli <command>: <message>") and the documented exit code.
int run_command(const char* command, int (*body)(int, char**), int argc, char** argv);

}  // namespace storyscope::cli
