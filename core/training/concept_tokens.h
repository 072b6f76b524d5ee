#pragma once
// New placeholder tokens for a loaded model ("<asset0>", ...): the tokenizer learns them as
// added tokens (split off before BPE, one id each) and the text encoder's embedding table grows
// by one row per token, so prompts and story identities can use them like any word.
#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/pipeline/model_bundle.h"

namespace storyscope {

// The first text encoder's token embedding table [rows, D] (the parameter itself).
at::Tensor& token_embedding_table(ModelBundle& bundle);

// "<prefix0>", "<prefix1>", ...
std::vector<std::string> placeholder_tokens(const std::string& prefix, std::size_t count);

// The starting embedding of a new token: the mean of the rows of `word`'s tokens (one row for a
// word the vocabulary knows whole), or, for an empty word, the mean of every row (a neutral
// start). Throws Error(BadInput) naming the word when it tokenizes to nothing.
at::Tensor initial_token_embedding(ModelBundle& bundle, const std::string& word);

// Appends one embedding row per token (rows [N, D], any dtype: converted to the table's) and
// registers the tokens with the tokenizer; returns their ids (the new row indices, past every
// id the tokenizer had). Throws Error(BadInput) for a token that is empty, has whitespace,
// already tokenizes to one known id, or is given twice, and for rows of the wrong width.
// SDXL-style models with two text encoders are refused (one embedding table is grown here).
std::vector<std::int64_t> add_concept_tokens(ModelBundle& bundle, const std::vector<std::string>& tokens,
                                             const at::Tensor& rows);

}  // namespace storyscope
