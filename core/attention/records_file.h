#pragma once
// Attention records on disk: one safetensors file with the maps (float16) and one JSON index
// that says what each tensor is. See docs/records_format.md. From Python:
//
//   import json
//   from safetensors.torch import load_file
//   maps = load_file("records.safetensors")
//   index = json.load(open("records.json"))
//   for r in index["records"]:
//       m = maps[r["tensor"]]      # [keys, h*w] cross-attention (keys = index["tokens"])
//       m = m.view(-1, *r["size"]) # -> [keys, h, w]
//
// Tensor names: "step003/up_blocks.1.attentions.0.transformer_blocks.0.attn2/row0".
#include <string>

#include "core/attention/attention_record.h"

namespace storyscope {

constexpr int kAttentionRecordsFormatVersion = 1;
constexpr const char* kAttentionRecordsTensorsFile = "records.safetensors";
constexpr const char* kAttentionRecordsIndexFile = "records.json";

// Writes both files atomically (each replaced whole or not at all). Records are written as
// float16 whatever their dtype; spilled (memory-mapped) records are read and written like any.
void save_attention_records(const AttentionRecordSet& set, const std::string& tensors_path,
                            const std::string& index_path);
// Same, as folder/records.safetensors + folder/records.json (the folder is created if needed).
void save_attention_records(const AttentionRecordSet& set, const std::string& folder);

// Reads and validates both files: a malformed index, a missing tensor, a dtype other than
// float16 or a shape that disagrees with the index throws Error(BadInput) naming the file and
// the record. Tensors are memory-mapped views (copy-on-write), not copies.
AttentionRecordSet load_attention_records(const std::string& tensors_path, const std::string& index_path);
AttentionRecordSet load_attention_records(const std::string& folder);

}  // namespace storyscope
