#pragma once
// Where the reference fixtures live, and small helpers every parity test uses.
#include <ATen/ATen.h>

#include <cstdlib>
#include <string>

#ifndef STORYSCOPE_FIXTURES_DIR
#define STORYSCOPE_FIXTURES_DIR "../shared/fixtures"
#endif

namespace storyscope::testing {

inline std::string fixtures_dir() {
  if (const char* env = std::getenv("STORYSCOPE_FIXTURES")) return env;
  return STORYSCOPE_FIXTURES_DIR;
}

inline std::string fixture(const std::string& relative) { return fixtures_dir() + "/" + relative; }

inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

}  // namespace storyscope::testing
