#pragma once
// Identity-preserving cross-attention (1Prompt1Story's IPCA, DESIGN 4.4) as an
// AttentionModifier. In the chosen cross-attention layers, from `start_step` on, the keys and
// values of the conditional rows become [K ; K_id], [V ; V_id] with K_id = to_k(E0),
// V_id = to_v(E0), E0 being the consolidated prompt's embedding before SVR. A logit bias keeps,
// of the appended tokens, only those in `keep` (SOT + P0): log 0 = -inf for the others; with
// dropout p each kept P0 token is dropped per query pixel (Bernoulli, seeded by seed, step,
// layer and row key). Unconditional rows get the appended keys fully masked, so they equal plain attention.
// K_id/V_id depend only on text and layer: computed on a layer's first call after
// set_identity() and reused for every step.
//
// Outside a run (StepInfo::index == -1) IPCA applies, so a single UNet forward with IPCA
// installed behaves like step 0 of a run.
//
// Cost: only the chosen cross-attention layers change. Each gets +T keys/values for every row
// (M = 77 -> 77 + T; unconditional rows carry them masked) and an additive bias
// [B, 1, 1, M+T] (without dropout) or [B, 1, N, M+T] (with dropout: one mask per query pixel).
// With a bias those layers take the classic (non-fused) kernel on LibTorch >= 2.1. K_id/V_id
// hold R x T x inner_dim x 2 values per layer, projected once per identity, not per step.
// Self-attention and the other layers run exactly as without IPCA.
#include <ATen/Tensor.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/attention/composable_processor.h"

namespace storyscope {

struct IpcaOptions {
  // "down", "mid", "up" (every block of that place) or "down1", "up0", ... (one block).
  std::vector<std::string> positions{"down", "mid", "up"};
  int start_step = 0;
  double dropout = 0.0;
  std::uint64_t seed = 0;
};

// Throws Error(BadInput) for a position name that is not down/mid/up[+block index].
void validate_ipca_positions(const std::vector<std::string>& positions, const std::string& source,
                             const std::string& field);

class IpcaModifier : public AttentionModifier {
 public:
  // Throws Error(BadInput) for unknown positions or dropout outside [0, 1).
  explicit IpcaModifier(IpcaOptions options);

  // identity: [R, T, Dctx] the pre-SVR embeddings, one per conditional row, in the order of
  // StepInfo::cond_rows (R == cond_rows.size(), or R == 1 shared by all). keep: positions
  // (< T) of the appended tokens left open (SOT + P0); keep[0] must be SOT: dropout never drops
  // it (every other kept position is a P0 token that dropout may drop). Clears the K_id/V_id
  // cache. Throws Error(BadInput) for an identity that is not [R, T, D] or a position >= T.
  // row_keys (empty, or one per identity row, e.g. the story frame index) key each row's
  // dropout draws, so a frame gets the same masks whichever frames share its batch; empty:
  // the row's position among the conditional rows.
  void set_identity(const at::Tensor& identity, std::vector<std::int64_t> keep,
                    std::vector<std::uint64_t> row_keys = {});
  void clear_identity();

  bool applies(const LayerInfo& layer, const StepInfo& step) const;

  void modify(const AttentionProjections& attn, const at::Tensor& hidden, const at::Tensor& context,
              const LayerInfo& layer, const StepInfo& step, AttentionTensors& t) override;

  // How many times K_id/V_id were computed since set_identity (one per layer: tests and bench).
  std::int64_t identity_projections() const { return projections_; }

 private:
  IpcaOptions options_;
  std::vector<std::pair<Place, int>> places_;  // parsed positions; block -1 = every block
  at::Tensor identity_;
  std::vector<std::int64_t> keep_;
  std::vector<std::uint64_t> row_keys_;
  std::mutex mutex_;
  std::map<std::string, std::pair<at::Tensor, at::Tensor>> cache_;  // layer -> (K_id, V_id) split into heads
  std::int64_t projections_ = 0;
};

}  // namespace storyscope
