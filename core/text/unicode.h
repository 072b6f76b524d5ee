#pragma once
// The slice of Unicode the CLIP tokenizer needs, matching Python's str.lower() and
// unicodedata.normalize("NFC") (the reference transformers runs on) without an ICU dependency.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace storyscope::unicode {

enum class CharClass : std::uint8_t { Other = 0, Letter = 1, Number = 2, SpaceSeparator = 3, Control = 4 };

// Letter = L*, Number = N*, SpaceSeparator = Zs, Control = any C* (Cc, Cf, Cs, Co, Cn).
CharClass char_class(char32_t cp);
// What Python's str.split() without arguments splits on.
bool is_py_space(char32_t cp);
int combining_class(char32_t cp);
bool is_case_ignorable(char32_t cp);
bool is_cased(char32_t cp);

// Python's lower() of one code point out of context (U+03A3 gives the medial sigma).
void append_lower(char32_t cp, std::u32string& out);
// Python's str.lower() of a whole string, final sigma included.
std::u32string to_lower(std::u32string_view s);

// Canonical composition of a pair, or 0 when there is none (Hangul included).
char32_t compose_pair(char32_t first, char32_t second);

// Byte range of the original text a code point came from; kept through normalisation so that
// words can be mapped back to what the user typed.
struct Origin {
  std::uint32_t begin = 0, end = 0;
};
// NFC in place. A composed code point's origin spans those of its parts; a decomposed one's
// parts share the origin of the code point they came from.
void nfc(std::vector<char32_t>& cps, std::vector<Origin>& origins);
std::u32string nfc(std::u32string_view s);

// UTF-8 -> code points. Each byte of an invalid sequence becomes U+FFFD with that byte as its
// origin, so text from anywhere decodes without throwing.
void decode_utf8_lossy(std::string_view text, std::vector<char32_t>& cps, std::vector<Origin>& origins);
void append_utf8(char32_t cp, std::string& out);
std::string to_utf8(std::u32string_view s);

}  // namespace storyscope::unicode
