#pragma once
// Shared by the UNet parity tests: manifest access, a probability-capturing attention processor
// and a tolerance check that prints the measured difference.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/attention/processor.h"
#include "core/common/atomic_file.h"
#include "fixtures.h"

namespace storyscope::unet_testing {

using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;

using storyscope::testing::manifest;
using storyscope::testing::manifest_case;

inline double suggested_tolerance(const std::string& case_name, const std::string& output) {
  return manifest_case(case_name).at("suggested_tolerance").at(output).at("max_abs").get<double>();
}

// Runs the same arithmetic as the default kernel (baddbmm + softmax, diffusers' classic
// AttnProcessor) but keeps the cross-attention probabilities [B*heads, N, M] in call order.
class CaptureProcessor : public AttentionProcessor {
 public:
  bool keep_full = true;  // false: keep only the mean over query positions
  std::vector<std::string> order;
  std::map<std::string, at::Tensor> probs, token_means;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> sizes;

  at::Tensor process(const AttentionProjections& attn, const at::Tensor& hidden, const at::Tensor& context,
                     const LayerInfo& layer, const StepInfo&) override {
    const at::Tensor& ctx = context.defined() ? context : hidden;
    auto q = split_heads(attn.to_q->forward(hidden), attn.heads);
    auto k = split_heads(attn.to_k->forward(ctx), attn.heads);
    auto v = split_heads(attn.to_v->forward(ctx), attn.heads);
    const auto b = q.size(0), h = q.size(1), n = q.size(2), d = q.size(3), m = k.size(2);
    auto q3 = q.reshape({b * h, n, d});
    auto kt = k.reshape({b * h, m, d}).transpose(1, 2);
    auto p = at::baddbmm(at::empty({b * h, n, m}, q.options()), q3, kt, 0.0, attn.scale).softmax(-1);
    order.push_back(layer.name);
    sizes[layer.name] = {layer.height, layer.width};
    if (keep_full) probs[layer.name] = p;
    token_means[layer.name] = p.mean(1);
    auto o = at::bmm(p, v.reshape({b * h, m, d})).view({b, h, n, d});
    return attn.to_out->forward(merge_heads(o));
  }
};

inline bool check_close(const char* what, const at::Tensor& ours, const at::Tensor& ref, double tol) {
  if (ours.sizes() != ref.sizes()) {
    qWarning("%s: shape mismatch", what);
    return false;
  }
  const double diff = max_abs_diff(ours, ref);
  qInfo("%s: max abs diff %.3g (tolerance %.3g)", what, diff, tol);
  return diff <= tol;
}

}  // namespace storyscope::unet_testing
