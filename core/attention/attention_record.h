#pragma once
// One captured attention map: what the AttentionStore records and what the analysis views
// (core/analysis) read. Kept free of the store's mechanics so views, files and the GUI share it.
#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/attention/layer_info.h"

namespace storyscope {

struct AttentionRecord {
  std::string layer;  // diffusers module path, e.g. "up_blocks.1.attentions.0.transformer_blocks.0.attn2"
  Place place = Place::Other;
  int block_index = -1;
  bool is_cross = true;
  std::int64_t height = 0, width = 0;                // query grid of this record (after any pooling)
  std::int64_t native_height = 0, native_width = 0;  // query grid the layer ran at
  int step = -1;                                     // denoising step index
  double timestep = 0.0;                             // scheduler timestep
  int batch_row = 0;                                 // which image of the conditional half
  bool per_head = false;
  // Cross-attention: [keys, height*width] (or [heads, keys, height*width] when per_head), float16,
  // where keys are the recorded token positions (see AttentionRecordSet::token_positions).
  // Self-attention: [height*width, height*width] (or [heads, ...]).
  at::Tensor probs;
  // Non-empty when the store spilled this record past its byte budget: probs is then a
  // read-only view of this safetensors file (memory-mapped, not resident until read).
  std::string spill_file;
  // Empty for attention over the context (the prompt's tokens). Otherwise the record is of an
  // attention a modifier added over keys of its own (AddedAttention::keys, e.g. "ip_image":
  // IP-Adapter image tokens, probs [tokens, height*width]), whose output was added with `weight`.
  std::string keys;
  double weight = 1.0;
};

// Everything recorded in one run, with the token layout needed to read cross-attention maps.
struct AttentionRecordSet {
  std::vector<AttentionRecord> records;
  std::vector<std::int64_t> token_positions;  // positions in the 77-token sequence that were kept
  std::vector<std::string> tokens;            // token strings for those positions
  std::vector<std::int64_t> token_ids;
  std::int64_t latent_height = 0, latent_width = 0;
  std::vector<std::string> notes;  // e.g. "steps 0-9 pooled to 8x8 to stay within the byte budget"
  // Records of added attentions (non-empty AttentionRecord::keys: IP-Adapter's image tokens),
  // kept apart so every view of `records` reads the prompt's tokens only.
  std::vector<AttentionRecord> added_records;
};

}  // namespace storyscope
