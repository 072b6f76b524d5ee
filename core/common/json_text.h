#pragma once
// Parsing JSON text from files users hand us, with one error shape for every reader: the file,
// where in it (line and column, as an editor shows them), and nlohmann's own explanation.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace storyscope {

// "line L, column C" (both from 1) of the byte at `offset` (clamped to the text).
std::string text_position(const std::string& text, std::size_t offset);

// Parses `text`. Broken syntax, and a number beyond double's range (nlohmann reports 1e999 as
// out_of_range, not as a parse error, which is why every reader needs both), throw
// Error(BadInput) naming `file`; `context` (e.g. "storyscope chunk") prefixes the location.
nlohmann::json parse_json_text(const std::string& text, const std::string& file,
                               const std::string& context = "");

}  // namespace storyscope
