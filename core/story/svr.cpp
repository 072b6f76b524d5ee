#include "core/story/svr.h"

#include <ATen/ATen.h>

#include "core/common/error.h"

namespace storyscope {
namespace {

[[noreturn]] void internal(const std::string& rule) { throw Error(ErrorKind::Internal, "", "svr", rule); }

// Views a [T, D] or [1, T, D] embedding as [T, D].
at::Tensor as_matrix(const at::Tensor& e) {
  if (e.dim() == 2) return e;
  if (e.dim() == 3 && e.size(0) == 1) return e[0];
  internal("expected an embedding [T, D] or [1, T, D], got " + std::to_string(e.dim()) + " dims");
}

at::Tensor positions(const TokenRange& span, const std::vector<std::int64_t>& extra, std::int64_t rows,
                     c10::Device device) {
  std::vector<std::int64_t> idx;
  for (std::int64_t i = span.first; i <= span.last; ++i) idx.push_back(i);
  idx.insert(idx.end(), extra.begin(), extra.end());
  for (std::int64_t i : idx)
    // Row 0 is SOT, which SVR never touches.
    if (i < 1 || i >= rows) internal("row " + std::to_string(i) + " outside 1.." + std::to_string(rows - 1));
  return at::tensor(idx, at::kLong).to(device);
}

}  // namespace

at::Tensor reweight_phrase(const at::Tensor& embedding, const TokenRange& span,
                           const std::vector<std::int64_t>& eot, const SvrWeights& weights, bool include_eot,
                           double eot_scale) {
  const at::Tensor e = as_matrix(embedding);
  at::Tensor out = embedding.clone();
  at::Tensor out_rows = as_matrix(out);
  const std::int64_t rows = e.size(0);
  if (span.size() > 0) {
    const at::Tensor idx = positions(span, include_eot ? eot : std::vector<std::int64_t>{}, rows, e.device());
    // X = [E[span]; E[eot]]^T, D x n, in float64 so the decomposition is the same on every dtype.
    const at::Tensor x = e.index_select(0, idx).to(at::kDouble).t();
    auto [u, s, vh] = at::linalg_svd(x, /*full_matrices=*/false);
    const at::Tensor s_new = weights.beta * s * at::exp(-weights.alpha * s);
    const at::Tensor x_new = at::matmul(u * s_new.unsqueeze(0), vh);
    out_rows.index_copy_(0, idx, x_new.t().to(e.scalar_type()));
  }
  if (!include_eot && eot_scale != 1.0 && !eot.empty()) {
    const at::Tensor idx = positions(TokenRange{}, eot, rows, e.device());
    const at::Tensor scaled = e.index_select(0, idx).to(at::kDouble) * eot_scale;
    out_rows.index_copy_(0, idx, scaled.to(e.scalar_type()));
  }
  return out;
}

at::Tensor apply_svr(const at::Tensor& embedding, const ConsolidatedPrompt& prompt, SvrMode mode,
                     const SvrWeights& enhance, const SvrWeights& suppress) {
  if (mode == SvrMode::Off) return embedding;
  as_matrix(embedding);  // shape check
  if (mode == SvrMode::Npr) {
    at::Tensor out = embedding.clone();
    at::Tensor rows = as_matrix(out);
    const auto scale = [&](const TokenRange& r, double factor) {
      if (r.size() > 0) rows.narrow(0, r.first, r.size()).mul_(factor);
    };
    for (const TokenRange& r : prompt.suppress) scale(r, 0.5);
    scale(prompt.express, 2.0);
    return out;
  }
  // svr / svr-eot: the calls chain in float64 and round to the embedding's dtype once at the end;
  // rows no call touches go through float64 and back unchanged (exact for every float dtype).
  const bool with_eot = mode == SvrMode::Svr;
  const double eot_scale = with_eot ? 1.0 : 0.9;
  at::Tensor work = embedding.to(at::kDouble);
  for (const TokenRange& r : prompt.suppress)
    work = reweight_phrase(work, r, prompt.eot, suppress, with_eot, eot_scale);
  work = reweight_phrase(work, prompt.express, prompt.eot, enhance, with_eot, eot_scale);
  return work.to(embedding.scalar_type());
}

}  // namespace storyscope
