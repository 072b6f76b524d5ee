#include "core/common/error.h"

namespace storyscope {
namespace {
std::string compose(const std::string& file, const std::string& location, const std::string& rule) {
  std::string msg;
  if (!file.empty()) msg += file;
  if (!location.empty()) msg += (msg.empty() ? "" : ": ") + location;
  msg += (msg.empty() ? "" : ": ") + rule;
  return msg;
}
}  // namespace

Error::Error(ErrorKind kind, std::string file, std::string location, std::string rule)
    : std::runtime_error(compose(file, location, rule)),
      kind_(kind),
      file_(std::move(file)),
      location_(std::move(location)),
      rule_(std::move(rule)) {}

void throw_bad_input(const std::string& file, const std::string& location, const std::string& rule) {
  throw Error(ErrorKind::BadInput, file, location, rule);
}

void throw_model_error(const std::string& file, const std::string& location, const std::string& rule) {
  throw Error(ErrorKind::Model, file, location, rule);
}

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::BadInput:
      return 2;
    case ErrorKind::Model:
      return 3;
    case ErrorKind::Cancelled:
      return 130;
    case ErrorKind::Internal:
      return 1;
  }
  return 1;
}

}  // namespace storyscope
