#pragma once
// The one error type of the engine: every failure a user can cause names the file (or flag),
// where in it, and which rule was broken, so the CLI and GUI can show it as-is.
#include <stdexcept>
#include <string>

namespace storyscope {

enum class ErrorKind {
  BadInput,   // malformed or inconsistent input: CLI exit code 2
  Model,      // a model that cannot be built or loaded: CLI exit code 3
  Cancelled,  // the user asked to stop: CLI exit code 130
  Internal,   // a bug: CLI exit code 1
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string file, std::string location, std::string rule);

  ErrorKind kind() const { return kind_; }
  const std::string& file() const { return file_; }
  const std::string& location() const { return location_; }
  const std::string& rule() const { return rule_; }

 private:
  ErrorKind kind_;
  std::string file_, location_, rule_;
};

// Shorthands for the common cases.
[[noreturn]] void throw_bad_input(const std::string& file, const std::string& location,
                                  const std::string& rule);
[[noreturn]] void throw_model_error(const std::string& file, const std::string& location,
                                    const std::string& rule);

int exit_code_for(ErrorKind kind);

}  // namespace storyscope
