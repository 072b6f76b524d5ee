#pragma once
// Prompt -> text embeddings exactly as diffusers 0.27's pipelines do it (encode_prompt):
// - one encoder (SD 1.x/2.x): ids padded to the tokenizer's model_max_length -> last_hidden_state
//   (no clip skip); the negative side encodes "" when classifier-free guidance is on and no
//   negative prompt was given.
// - two encoders (SDXL): each encoder's penultimate hidden state (hidden_states[-2], before the
//   final layer norm), concatenated along features; the pooled embedding is text_encoder_2's
//   projected text_embeds. With force_zeros_for_empty_prompt and NO negative prompt passed, the
//   negative embeddings (and pooled) are zeros; an explicit "" is encoded like any prompt.
#include <ATen/Tensor.h>

#include <optional>
#include <string>

#include "core/pipeline/model_bundle.h"

namespace storyscope {

struct PromptEmbeddings {
  at::Tensor prompt_embeds;                  // [1, N, D] in the model dtype
  at::Tensor negative_prompt_embeds;         // [1, N, D]; undefined without CFG
  at::Tensor pooled_prompt_embeds;           // [1, P] (two encoders only)
  at::Tensor negative_pooled_prompt_embeds;  // [1, P] (two encoders and CFG only)
  at::Tensor ids, ids_2;                     // [1, N] int64 token ids of the prompt
  at::Tensor negative_ids, negative_ids_2;   // undefined when the negative was not tokenized
};

// `classifier_free_guidance` decides whether negative embeddings are made at all.
PromptEmbeddings encode_prompt(ModelBundle& bundle, const std::string& prompt,
                               const std::optional<std::string>& negative, bool classifier_free_guidance);

}  // namespace storyscope
