#pragma once
// The shapes world's tokenizer: a CLIP-format byte-level BPE vocabulary in which every world
// word is exactly one token (so per-word masks are per-token maps) and any other text still
// tokenizes, byte by byte. Loadable by ClipTokenizer::from_folder and transformers.
#include <cstdint>
#include <string>

namespace storyscope {

// Writes vocab.json, merges.txt, tokenizer_config.json and special_tokens_map.json into `dir`
// (created if missing). Deterministic: the same files every time.
void write_shapes_tokenizer(const std::string& dir, int model_max_length = 77);

// Number of entries in the written vocab.json (the text encoder's vocab_size).
std::int64_t shapes_vocab_size();

}  // namespace storyscope
