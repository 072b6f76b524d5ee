#pragma once
#include <string_view>

namespace storyscope {
// Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);
// Byte offset of the first invalid sequence, or npos when valid.
std::size_t first_invalid_utf8(std::string_view s);
}  // namespace storyscope
