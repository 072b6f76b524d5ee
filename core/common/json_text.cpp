#include "core/common/json_text.h"

#include <algorithm>

#include "core/common/error.h"

namespace storyscope {

std::string text_position(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

nlohmann::json parse_json_text(const std::string& text, const std::string& file, const std::string& context) {
  const auto where = [&](const std::string& position) {
    return context.empty() ? position : context + ", " + position;
  };
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts from 1 and points at the last byte read: the one that broke the syntax.
    throw_bad_input(file, where(text_position(text, e.byte > 0 ? e.byte - 1 : 0)),
                    std::string("not valid JSON: ") + e.what());
  } catch (const nlohmann::json::out_of_range& e) {
    throw_bad_input(file, where("a number"), std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace storyscope
