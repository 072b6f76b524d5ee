#pragma once
// Where the reference fixtures live, and small helpers every parity test uses.
#include <ATen/ATen.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "core/common/atomic_file.h"
#include "core/config/json_fields.h"

#ifndef STORYSCOPE_FIXTURES_DIR
#define STORYSCOPE_FIXTURES_DIR "../shared/fixtures"
#endif

namespace storyscope::testing {

inline std::string fixtures_dir() {
  if (const char* env = std::getenv("STORYSCOPE_FIXTURES")) return env;
  return STORYSCOPE_FIXTURES_DIR;
}

inline std::string fixture(const std::string& relative) { return fixtures_dir() + "/" + relative; }

// The fixtures' manifest.json (Python's json output: bare -Infinity is read as in real
// diffusers configs).
inline const nlohmann::json& manifest() {
  static const nlohmann::json doc = parse_python_json(read_file(fixture("manifest.json")), "manifest.json");
  return doc;
}

inline const nlohmann::json& manifest_case(const std::string& name) {
  for (const auto& c : manifest().at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("manifest.json has no case " + name);
}

inline double suggested_max_abs(const nlohmann::json& c, const std::string& output) {
  return c.at("suggested_tolerance").at(output).at("max_abs").get<double>();
}

inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

}  // namespace storyscope::testing
