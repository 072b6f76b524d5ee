#pragma once
// Prompt -> text embeddings exactly as diffusers 0.27's pipelines do it (encode_prompt):
// - one encoder (SD 1.x/2.x): ids padded to the tokenizer's model_max_length -> last_hidden_state
//   (no clip skip); the negative side encodes "" when classifier-free guidance is on and no
//   negative prompt was given.
// - two encoders (SDXL): each encoder's penultimate hidden state (hidden_states[-2], before the
//   final layer norm), concatenated along features; the pooled embedding is text_encoder_2's
//   projected text_embeds. With force_zeros_for_empty_prompt and NO negative prompt passed, the
//   negative embeddings (and pooled) are zeros; an explicit "" is encoded like any prompt.
//
// Long prompts (A1111's chunked conditioning): diffusers truncates at model_max_length - 2 real
// tokens. When the prompt or the negative has more, the real tokens are split into chunks of
// model_max_length - 2; each chunk is encoded on its own as [BOS] + tokens + [EOS] + pad exactly
// like a short prompt, and the chunks are concatenated along the sequence axis ([1, 77*k, D]).
// Both sides get the same chunk count (the shorter one is padded with encodings of "") so CFG can
// batch them; SDXL's pooled embedding is that of the first chunk. Prompts that fit take the
// unchanged single-chunk path.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/pipeline/model_bundle.h"

namespace storyscope {

struct PromptEmbeddings {
  at::Tensor prompt_embeds;                  // [1, N, D] in the model dtype; N = 77 * chunks
  at::Tensor negative_prompt_embeds;         // [1, N, D]; undefined without CFG
  at::Tensor pooled_prompt_embeds;           // [1, P] (two encoders only)
  at::Tensor negative_pooled_prompt_embeds;  // [1, P] (two encoders and CFG only)
  at::Tensor ids, ids_2;                     // [1, N] int64 token ids of the prompt, all chunks
  at::Tensor negative_ids, negative_ids_2;   // undefined when the negative was not tokenized
  int chunks = 1;                            // 77-token chunks per side (1: diffusers' path)
  std::int64_t prompt_tokens = 0;            // real (non-special) tokens of the prompt
  std::int64_t negative_tokens = 0;          // real tokens of the negative (0 when none)
};

// `classifier_free_guidance` decides whether negative embeddings are made at all.
PromptEmbeddings encode_prompt(ModelBundle& bundle, const std::string& prompt,
                               const std::optional<std::string>& negative, bool classifier_free_guidance);

// The padded id chunks of `text` (each model_max_length long). With `min_chunks` the list is
// padded with chunks of "" (bos, eos, pad...). One chunk equals encode_padded(text).
std::vector<std::vector<std::int64_t>> prompt_chunks(const ClipTokenizer& tokenizer, const std::string& text,
                                                     int min_chunks = 1);
// How many chunks `text` needs (1 when its real tokens fit in model_max_length - 2).
int prompt_chunk_count(const ClipTokenizer& tokenizer, const std::string& text);

// Positions of the real tokens in a chunked id sequence (chunks of `chunk_length`, each
// [bos, tokens..., eos, pad...]), skipping every chunk's bos/eos/padding.
std::vector<std::int64_t> chunked_token_positions(const std::vector<std::int64_t>& ids, std::int64_t bos_id,
                                                  std::int64_t eos_id, std::int64_t chunk_length = 77);
// The position in the untruncated tokenizer output (tokenizer.encode: bos + all tokens + eos)
// of the real token at `position` of a chunked sequence (see chunked_token_positions); -1 for a
// chunk's first or last slot, which never hold a real token.
std::int64_t unchunked_position(std::int64_t position, std::int64_t chunk_length = 77);

}  // namespace storyscope
