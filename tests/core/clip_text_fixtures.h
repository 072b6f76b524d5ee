#pragma once
// Shared by the CLIP text encoder tests: manifest lookup, tolerances and probe comparison.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/config/json_fields.h"
#include "fixtures.h"

namespace storyscope::testing {

inline double tolerance(const nlohmann::json& c, const std::string& output) {
  return c.at("suggested_tolerance").at(output).at("max_abs").get<double>();
}

// Compares and logs; returns whether it is within tolerance so callers can QVERIFY with context.
inline bool within(const std::string& label, const at::Tensor& ours, const at::Tensor& expected, double tol) {
  if (ours.sizes() != expected.sizes()) {
    qWarning("%s: shape mismatch", label.c_str());
    return false;
  }
  const double diff = max_abs_diff(ours, expected);
  qInfo("%-40s max abs diff %.3g (tolerance %.3g)", label.c_str(), diff, tol);
  return diff <= tol;
}

// The fixtures' probe: flatten()[::step][:256], step = max(1, numel // 256).
inline at::Tensor probe_of(const at::Tensor& t) {
  const auto flat = t.flatten();
  const auto step = std::max<std::int64_t>(1, flat.numel() / 256);
  const auto picked = flat.slice(0, 0, flat.numel(), step);
  return picked.slice(0, 0, std::min<std::int64_t>(256, picked.numel()));
}

// Checks every probe/hidden_states.i present in `stored`. Deep states grow in scale, so the
// tolerance follows the penultimate output's: its absolute value or its std-relative value
// times the probe's spread, whichever is larger. Returns the number of probes checked.
inline int check_hidden_state_probes(const std::map<std::string, at::Tensor>& stored,
                                     const std::vector<at::Tensor>& hidden_states, const nlohmann::json& c,
                                     const std::string& penultimate_key, const std::string& prefix = "") {
  const auto& tol = c.at("suggested_tolerance").at(penultimate_key);
  const double abs_tol = tol.at("max_abs").get<double>();
  const double rel_tol = tol.at("max_abs_over_output_std").get<double>();
  int checked = 0;
  for (std::size_t i = 0; i < hidden_states.size(); ++i) {
    const auto it = stored.find(prefix + "probe/hidden_states." + std::to_string(i));
    if (it == stored.end()) continue;
    const double spread = it->second.to(at::kDouble).std().item<double>();
    const double t = std::max(abs_tol, rel_tol * spread);
    if (!within("probe/hidden_states." + std::to_string(i), probe_of(hidden_states[i]), it->second, t))
      return -1;
    ++checked;
  }
  return checked;
}

}  // namespace storyscope::testing
