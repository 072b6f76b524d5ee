#pragma once
// CLIP's byte-level BPE tokenizer, reproducing transformers' slow CLIPTokenizer as a default
// diffusers install runs it (no ftfy): BasicTokenizer clean-up, CLIP's pre-tokenizer regex,
// byte-level BPE with `</w>` word ends, and the added-token split that makes an SD2/SDXL
// tokenizer_2 (pad_token "!") turn every literal "!" into id 0.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace storyscope {

struct TokenSpan {
  std::size_t char_begin, char_end;  // byte offsets in the input text
  int token_begin, token_end;        // token positions in the encoded ids (BOS is position 0)
};

struct Encoding {
  std::vector<std::int64_t> ids;  // bos + tokens + eos
  // One per pre-tokenizer word (and one per literal special token), in order. For ASCII text
  // char_begin/char_end are exact. Where normalisation changes the text (NFC, lower-casing that
  // changes length, dropped control characters) a word spans the bytes of every input code point
  // that contributed to it; dropped code points belong to no word.
  std::vector<TokenSpan> words;
  std::vector<std::string> tokens;  // tokens[i] is the vocabulary string of ids[i]
};

struct ClipTokenizerOptions {
  std::string bos_token = "<|startoftext|>";
  std::string eos_token = "<|endoftext|>";
  std::string unk_token = "<|endoftext|>";
  std::string pad_token = "<|endoftext|>";  // SD2.x / SDXL tokenizer_2 use "!"
  int model_max_length = 77;
  std::map<std::int64_t, std::string> added_tokens;  // tokenizer_config's added_tokens_decoder
};

class ClipTokenizer {
 public:
  // vocab.json and merges.txt are required; tokenizer_config.json and special_tokens_map.json
  // are read when present (special_tokens_map wins where both name a token).
  static ClipTokenizer from_folder(const std::string& dir);
  static ClipTokenizer from_files(const std::string& vocab_json, const std::string& merges_txt,
                                  const ClipTokenizerOptions& options = {});

  // Untruncated. Invalid UTF-8 never throws: each bad byte becomes U+FFFD, which the clean-up
  // drops like transformers does.
  Encoding encode(std::string_view text) const;
  // As SD pipelines call it: truncation keeps bos + (max_length - 2) tokens + eos, then pads with
  // pad_id() to max_length.
  std::vector<std::int64_t> encode_padded(std::string_view text, int max_length = 77) const;
  // Joins the tokens back into text, leaving out bos/eos ids; throws on an id outside the
  // vocabulary.
  std::string decode(const std::vector<std::int64_t>& ids) const;

  std::int64_t bos_id() const;
  std::int64_t eos_id() const;
  std::int64_t pad_id() const;
  int model_max_length() const;
  std::size_t vocab_size() const;
  // One past the largest id in use (vocabulary and added tokens): where new ids can start.
  std::int64_t id_limit() const;
  // A copy that also knows `tokens` (content, id) as added tokens, split off whole before BPE
  // like transformers' add_tokens (textual-inversion placeholders such as "<asset0>"). Throws
  // Error(BadInput) for an empty token, one already known, or an id already in use.
  ClipTokenizer with_added_tokens(const std::vector<std::pair<std::string, std::int64_t>>& tokens) const;
  std::string token_of(std::int64_t id) const;

  struct Impl;

 private:
  explicit ClipTokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace storyscope
