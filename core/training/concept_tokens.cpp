#include "core/training/concept_tokens.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/embedding.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/common/error.h"

namespace storyscope {

namespace {

void require_one_text_encoder(ModelBundle& bundle) {
  if (bundle.has_text_encoder_2())
    throw_bad_input(bundle.source(), "text_encoder_2",
                    "concept tokens support models with one text encoder (SD 1.x, SD 2.x, the demo "
                    "model); SDXL's two embedding tables are not handled yet");
}

}  // namespace

at::Tensor& token_embedding_table(ModelBundle& bundle) {
  return bundle.text_encoder()->text_model->embeddings->token_embedding->weight;
}

std::vector<std::string> placeholder_tokens(const std::string& prefix, std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back("<" + prefix + std::to_string(i) + ">");
  return out;
}

at::Tensor initial_token_embedding(ModelBundle& bundle, const std::string& word) {
  at::NoGradGuard no_grad;
  const at::Tensor& table = token_embedding_table(bundle);
  const ClipTokenizer& tok = bundle.tokenizer();
  if (word.empty()) return table.narrow(0, 0, std::min(table.size(0), tok.id_limit())).mean(0).to(at::kFloat);
  const Encoding enc = tok.encode(word);
  // ids: bos + tokens + eos
  if (enc.ids.size() <= 2)
    throw_bad_input("initializer word", "\"" + word + "\"", "has no tokens in this model's vocabulary");
  const std::vector<std::int64_t> ids(enc.ids.begin() + 1, enc.ids.end() - 1);
  const at::Tensor index = at::tensor(ids, at::TensorOptions().dtype(at::kLong)).to(table.device());
  return table.index_select(0, index).mean(0).to(at::kFloat);
}

std::vector<std::int64_t> add_concept_tokens(ModelBundle& bundle, const std::vector<std::string>& tokens,
                                             const at::Tensor& rows) {
  require_one_text_encoder(bundle);
  at::Tensor& table = token_embedding_table(bundle);
  const ClipTokenizer& tok = bundle.tokenizer();
  const auto n = static_cast<std::int64_t>(tokens.size());
  if (!rows.defined() || rows.dim() != 2 || rows.size(0) != n || rows.size(1) != table.size(1))
    throw_bad_input("concept tokens", "embedding rows",
                    "expected [" + std::to_string(n) + ", " + std::to_string(table.size(1)) + "], got " +
                        (rows.defined() ? shape_to_string(rows.sizes().vec()) : std::string("none")));
  std::set<std::string> seen;
  for (const auto& t : tokens) {
    if (t.empty()) throw_bad_input("concept tokens", "token", "is empty");
    if (std::any_of(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c) != 0; }))
      throw_bad_input("concept tokens", "\"" + t + "\"", "contains whitespace");
    if (!seen.insert(t).second) throw_bad_input("concept tokens", "\"" + t + "\"", "is given twice");
    const Encoding enc = tok.encode(t);
    if (enc.ids.size() == 3 && tok.token_of(enc.ids[1]) == t)
      throw_bad_input("concept tokens", "\"" + t + "\"",
                      "is already a token of this model (a concept pack loaded twice?)");
  }
  // New ids start past both the tokenizer's ids and the table's rows, so neither collides.
  const std::int64_t first = std::max(tok.id_limit(), table.size(0));
  std::vector<std::pair<std::string, std::int64_t>> added;
  std::vector<std::int64_t> ids;
  for (std::int64_t i = 0; i < n; ++i) {
    added.emplace_back(tokens[i], first + i);
    ids.push_back(first + i);
  }
  ClipTokenizer grown = tok.with_added_tokens(added);
  {
    at::NoGradGuard no_grad;
    const auto gap = first - table.size(0);
    std::vector<at::Tensor> parts = {table};
    // Rows nobody's id points at (tokenizer ids past the table): zeros, never read.
    if (gap > 0) parts.push_back(at::zeros({gap, table.size(1)}, table.options()));
    parts.push_back(rows.to(table.device(), table.scalar_type()));
    // set_data keeps the registered parameter (optimizers and module lists still point at it).
    table.set_data(at::cat(parts, 0));
  }
  bundle.set_tokenizer(std::move(grown));
  return ids;
}

}  // namespace storyscope
