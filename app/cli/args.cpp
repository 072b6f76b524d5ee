#include "app/cli/args.h"

#include <c10/util/Exception.h>

#include <cstdlib>
#include <iostream>

#include "core/common/error.h"

namespace storyscope::cli {

Args::Args(int argc, char** argv, std::set<std::string> value_flags, std::set<std::string> switches) {
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!only_positional && a == "--") {
      only_positional = true;
      continue;
    }
    if (only_positional || a.size() < 3 || a.compare(0, 2, "--") != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (switches.count(name)) {
      if (inline_value) throw_bad_input("", "--" + name, "this switch takes no value");
      switches_seen_.insert(name);
    } else if (value_flags.count(name)) {
      if (inline_value) {
        values_[name].push_back(*inline_value);
      } else {
        if (i + 1 >= argc) throw_bad_input("", "--" + name, "needs a value");
        values_[name].push_back(argv[++i]);
      }
    } else {
      throw_bad_input("", "--" + name, "unknown option");
    }
  }
}

bool Args::has(const std::string& flag) const { return switches_seen_.count(flag) || values_.count(flag); }

std::optional<std::string> Args::get(const std::string& flag) const {
  const auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::get_all(const std::string& flag) const {
  const auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::require(const std::string& flag) const {
  auto v = get(flag);
  if (!v) throw_bad_input("", "--" + flag, "is required");
  return *v;
}

std::int64_t Args::get_int(const std::string& flag, std::int64_t fallback) const {
  auto v = get(flag);
  if (!v) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno == ERANGE)
    throw_bad_input("", "--" + flag, "expected an integer, got \"" + *v + "\"");
  return x;
}

double Args::get_double(const std::string& flag, double fallback) const {
  auto v = get(flag);
  if (!v) return fallback;
  char* end = nullptr;
  const double x = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0') throw_bad_input("", "--" + flag, "expected a number, got \"" + *v + "\"");
  return x;
}

int run_command(const char* command, int (*body)(int, char**), int argc, char** argv) {
  try {
    return body(argc, argv);
  } catch (const Error& e) {
    std::cerr << "storyscope-cli " << command << ": " << e.what() << "\n";
    return exit_code_for(e.kind());
  } catch (const c10::Error& e) {
    std::cerr << "storyscope-cli " << command << ": LibTorch error: " << e.what_without_backtrace() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "storyscope-cli " << command << ": out of memory\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "storyscope-cli " << command << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace storyscope::cli
