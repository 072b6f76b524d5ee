// Fuzz target: the CLIP tokenizer on arbitrary bytes (invalid UTF-8 included). Its contract is
// stronger than "only storyscope::Error": encode() never throws, so any exception is a finding.
// Two tokenizers run on every input: the full CLIP vocabulary (SD 1.x, long BPE merges) and the
// tiny SDXL tokenizer_2 whose pad token "!" is an added token that splits the text.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text/clip_tokenizer.h"
#include "fuzz_support.h"

namespace {

using storyscope::ClipTokenizer;

const ClipTokenizer& clip_tokenizer() {
  static const ClipTokenizer t =
      ClipTokenizer::from_folder(std::string(STORYSCOPE_FIXTURES_DIR) + "/clip_tokenizer");
  return t;
}

const ClipTokenizer& sdxl_tokenizer_2() {
  static const ClipTokenizer t = ClipTokenizer::from_folder(std::string(STORYSCOPE_FIXTURES_DIR) +
                                                            "/e2e/tiny_sdxl_pipeline/tokenizer_2");
  return t;
}

void check(const ClipTokenizer& tok, std::string_view text) {
  const storyscope::Encoding e = tok.encode(text);
  FUZZ_CHECK(e.ids.size() >= 2);
  FUZZ_CHECK(e.ids.size() == e.tokens.size());
  FUZZ_CHECK(e.ids.front() == tok.bos_id() && e.ids.back() == tok.eos_id());
  const auto vocab = static_cast<std::int64_t>(tok.vocab_size());
  for (const auto id : e.ids) FUZZ_CHECK(id >= 0 && id < vocab);
  for (const auto& w : e.words) {
    FUZZ_CHECK(w.char_begin <= w.char_end && w.char_end <= text.size());
    FUZZ_CHECK(w.token_begin >= 1 && w.token_begin <= w.token_end);
    FUZZ_CHECK(static_cast<std::size_t>(w.token_end) < e.ids.size());
  }
  // Every id encode() produced is in the vocabulary, so decoding it must not throw either.
  (void)tok.decode(e.ids);
  const auto padded = tok.encode_padded(text, 77);
  FUZZ_CHECK(padded.size() == 77);
  FUZZ_CHECK(padded.front() == tok.bos_id());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  clip_tokenizer();
  sdxl_tokenizer_2();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(clip_tokenizer(), text);
  check(sdxl_tokenizer_2(), text);
  return 0;
}
