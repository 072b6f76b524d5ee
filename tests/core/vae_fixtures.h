#pragma once
// Shared by the VAE parity tests: the manifest entry of a case, its tolerances, and the
// reference probes (flatten(output)[::step][:256], step = max(1, numel // 256)).
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/tensor/state_dict.h"
#include "fixtures.h"

namespace storyscope::testing {

// Probes have no tolerance of their own: scale the case's loosest relative tolerance by the
// probed tensor's std, so wide activations deep in the network get proportionally more room.
inline double probe_tolerance(const nlohmann::json& c, const std::string& module) {
  double rel = 0.0;
  for (const auto& [name, tol] : c.at("suggested_tolerance").items())
    rel = std::max(rel, tol.at("max_abs_over_output_std").get<double>());
  const double std = c.at("probes").at("modules").at(module).at("std").get<double>();
  return std::max(1e-5, rel * std);
}

inline at::Tensor probe_of(const at::Tensor& output) {
  const auto flat = output.detach().flatten();
  const auto step = std::max<std::int64_t>(1, flat.numel() / 256);
  return flat.slice(0, 0, flat.numel(), step).slice(0, 0, 256);
}

enum class VaeCall { Encode, Decode };

// The manifest's rule: decoder.* and post_quant_conv come from the decode call, encoder.* and
// quant_conv from the encode call.
inline bool probe_belongs_to(const std::string& module, VaeCall call) {
  const bool decode = module.rfind("decoder.", 0) == 0 || module == "post_quant_conv";
  return (call == VaeCall::Decode) == decode;
}

// Compares, for every `probe/<module>` of `call` in the case file, the output a tap captured.
inline void check_probes(const nlohmann::json& c, const TensorMap& expected,
                         const std::map<std::string, at::Tensor>& captured, VaeCall call) {
  int checked = 0;
  for (const auto& [key, ref] : expected) {
    if (key.rfind("probe/", 0) != 0) continue;
    const auto module = key.substr(6);
    if (!probe_belongs_to(module, call)) continue;
    const auto it = captured.find(module);
    QVERIFY2(it != captured.end(), ("no tap for " + module).c_str());
    const auto ours = probe_of(it->second);
    QCOMPARE(ours.sizes().vec(), ref.sizes().vec());
    const double diff = max_abs_diff(ours, ref), tol = probe_tolerance(c, module);
    qInfo("  probe %-24s max abs diff %.3g (tolerance %.3g)", module.c_str(), diff, tol);
    QVERIFY2(diff <= tol, module.c_str());
    ++checked;
  }
  QVERIFY(checked > 0);
}

}  // namespace storyscope::testing
