#pragma once
// The AttentionStore: an AttentionObserver that keeps, for every step and every layer asked
// for, the attention maps of the conditional half (StepInfo::cond_rows) as float16 records on
// the CPU (see attention_record.h for the layout), head-averaged unless per_head is set.
//
// Byte budget. Records are counted by their resident bytes. When the next record would pass
// the budget the store either
//  - Pool: average-pools records of OLDER steps 2x2 over their query grid (the finest older
//    step first, the oldest among equals) until the new record fits, or
//  - Spill: writes every record held in memory to a new safetensors file under spill_path and
//    replaces them by memory-mapped views of it (records() then merges both transparently).
// Nothing is ever dropped: what was pooled or spilled is in records().notes and warnings(); a
// budget that cannot be met (nothing older left to pool) is exceeded, with a warning.
//
// Install it through a ComposableAttentionProcessor on every layer of the UNet; layers it does
// not want keep the fast kernel. Observed layers materialise [B, heads, N, M] probabilities for
// the call: cheap for cross-attention (M = 77), but 64x64 self-attention on SD 1.x at batch 2
// is 1 GiB per call, so record self-attention at coarse resolutions (16) only.
#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/attention/attention_record.h"
#include "core/attention/composable_processor.h"

namespace storyscope {

// Where the prompt's tokens sit in its padded id sequence (CLIP: SOT, real tokens, EOT, pads).
struct PromptTokenLayout {
  std::int64_t sot = -1;           // position of the start token (-1: none)
  std::vector<std::int64_t> real;  // positions of the real prompt tokens
  std::int64_t eot = -1;           // position of the first end token after the real ones (-1: none)
};
// Real tokens are those after a leading bos and before the first eos (padding may be eos).
PromptTokenLayout prompt_token_layout(const std::vector<std::int64_t>& ids, std::int64_t bos_id,
                                      std::int64_t eos_id);

enum class OverflowPolicy { Pool, Spill };

struct AttentionStoreOptions {
  // Which cross-attention layers to record. `layer_filter`, when set, decides alone; otherwise a
  // layer is kept when its place is in `places` and its resolution in `resolutions` (empty list:
  // any). Resolution = the shorter side of the layer's query grid.
  std::function<bool(const LayerInfo&)> layer_filter;
  std::vector<Place> places;
  std::vector<std::int64_t> resolutions;
  bool record_cross_attention = true;
  // Self-attention layers to record, by resolution (e.g. {16}); empty: none. Stored as
  // [h*w queries, h*w keys] (P2P's layout).
  std::vector<std::int64_t> self_attention_resolutions;

  bool per_head = false;
  // Token positions of the real prompt tokens (see prompt_token_layout); empty: every key.
  std::vector<std::int64_t> token_positions;
  bool include_sot = false;
  bool include_eot = false;
  std::int64_t sot_position = 0;
  std::int64_t eot_position = -1;  // -1: the position after the last real token
  // Optional: the full padded ids and token strings of the prompt; the store copies the kept
  // positions into AttentionRecordSet::token_ids / tokens.
  std::vector<std::int64_t> prompt_ids;
  std::vector<std::string> prompt_tokens;
  // Latent grid of the run (0: the largest attention grid seen, which is half the latent size
  // on UNets without attention at full resolution such as SDXL's: set it there).
  std::int64_t latent_height = 0, latent_width = 0;

  std::int64_t byte_budget = std::int64_t(1) << 30;
  OverflowPolicy overflow = OverflowPolicy::Pool;
  // Spill: a folder for the spill files (created if needed, files left in place). Empty: a
  // fresh folder under the system temp directory, removed with the store.
  std::string spill_path;

  // Fills token_positions, sot/eot positions and prompt ids/tokens from the tokenizer's output.
  void set_prompt(const std::vector<std::int64_t>& ids, const std::vector<std::string>& tokens,
                  std::int64_t bos_id, std::int64_t eos_id);
};

class AttentionStore : public AttentionObserver {
 public:
  explicit AttentionStore(AttentionStoreOptions options = {});
  ~AttentionStore() override;
  AttentionStore(const AttentionStore&) = delete;
  AttentionStore& operator=(const AttentionStore&) = delete;

  bool wants(const LayerInfo& layer) const override;
  void observe(const LayerInfo& layer, const StepInfo& step, const at::Tensor& probs) override;
  // Records an added attention (IP-Adapter's image tokens) like a cross-attention map over all
  // its keys; records() returns these in added_records. Same budget, pooling and spilling.
  void observe_added(const LayerInfo& layer, const StepInfo& step, const AddedAttention& added) override;

  // Everything recorded so far (spilled records are memory-mapped views), with the token layout
  // and the notes on pooling/spilling.
  AttentionRecordSet records() const;
  // What the user should be told about the budget (pooling started, files spilled, exceeded).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Positions of the key tokens every cross-attention record holds, in record order.
  const std::vector<std::int64_t>& recorded_positions() const { return positions_; }
  std::int64_t resident_bytes() const { return resident_bytes_; }
  std::size_t size() const { return records_.size(); }
  const AttentionStoreOptions& options() const { return options_; }
  // Forgets every record, note and warning (spill files already written stay on disk).
  void clear();

 private:
  // p: [rows, (heads,) keys, queries] float16 on the CPU, one record per row.
  void add_records(const LayerInfo& layer, const StepInfo& step, const at::Tensor& p, const std::string& keys,
                   double weight);
  void make_room(std::int64_t incoming, int step);
  bool pool_one_older_step(int step);
  void spill_resident(int step);
  void warn(const std::string& message);

  AttentionStoreOptions options_;
  std::vector<std::int64_t> positions_;  // key positions kept (sot? + real + eot?)
  std::vector<AttentionRecord> records_;
  std::int64_t resident_bytes_ = 0;
  std::int64_t largest_h_ = 0, largest_w_ = 0;
  std::map<int, int> pool_passes_;  // step -> times its records were pooled
  std::vector<std::string> spill_notes_;
  std::vector<std::string> warnings_;
  std::set<std::string> warned_;
  std::string spill_dir_;
  bool own_spill_dir_ = false;
  int spill_files_ = 0;
};

}  // namespace storyscope
