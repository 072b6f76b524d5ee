#pragma once
// Singular-value reweighting (DESIGN 4.3) on one text encoder's output E [T, D] for one frame.
// For a phrase span k: X = [E[span_k]; E[eot]]^T (D x n) in float64, X = U S V^T,
// s' = beta * s * exp(-alpha * s), U diag(s') V^T written back to those rows. Per frame: suppress
// every other window frame one at a time (in window order), then enhance the frame itself.
// P0 and SOT rows are never changed (bit-exact).
#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/story/prompt_windows.h"
#include "core/story/story_spec.h"

namespace storyscope {

// One reweighting of rows `span` (+ `eot` rows when include_eot) of E [T, D] (any float dtype;
// returned in E's dtype). With include_eot false the eot rows are left out of the SVD and, when
// eot_scale != 1, multiplied by it (svr-eot's 0.9 per call).
at::Tensor reweight_phrase(const at::Tensor& embedding, const TokenRange& span,
                           const std::vector<std::int64_t>& eot, const SvrWeights& weights,
                           bool include_eot = true, double eot_scale = 1.0);

// The whole per-frame procedure for `mode` on E [T, D] or [1, T, D] (same shape back):
// svr: suppress each prompt.suppress span (with eot), then enhance prompt.express (with eot);
// svr-eot: the same with eot out of the SVD and eot rows x0.9 per call;
// npr: express rows x2, suppress rows x0.5; off: E itself (no copy).
// svr/svr-eot chain the calls in float64 and round to E's dtype once at the end.
at::Tensor apply_svr(const at::Tensor& embedding, const ConsolidatedPrompt& prompt, SvrMode mode,
                     const SvrWeights& enhance, const SvrWeights& suppress);

}  // namespace storyscope
