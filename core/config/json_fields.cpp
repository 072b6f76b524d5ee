#include "core/config/json_fields.h"

#include <cmath>
#include <limits>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/json_text.h"
#include "core/common/utf8.h"

namespace storyscope {

using json = nlohmann::json;

namespace {
const char* type_name(const json& v) { return v.type_name(); }
// Python's json.dumps writes float('inf') as a bare -Infinity (DPMSolverMultistepScheduler's
// lambda_min_clipped), which is not JSON. Outside string literals such tokens become strings
// that the number getters below accept.
static std::string quote_nonfinite_tokens(const std::string& text) {
  static const char* const kTokens[] = {"-Infinity", "Infinity", "NaN"};
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (const char* token : kTokens) {
      const std::string t(token);
      if (text.compare(i, t.size(), t) == 0) {
        out += '"' + t + '"';
        i += t.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}
}  // namespace

json parse_python_json(const std::string& text, const std::string& file) {
  return parse_json_text(quote_nonfinite_tokens(text), file);
}

JsonFields::JsonFields(json doc, std::string file) : doc_(std::move(doc)), file_(std::move(file)) {
  if (!doc_.is_object())
    throw_bad_input(file_, "", std::string("expected a JSON object, found ") + type_name(doc_));
}

json JsonFields::parse_json_file(const std::string& path) {
  const std::string text = read_file(path);
  const auto bad = first_invalid_utf8(text);
  if (bad != std::string::npos) throw_bad_input(path, "byte " + std::to_string(bad), "not valid UTF-8");
  return parse_python_json(text, path);
}

JsonFields JsonFields::from_file(const std::string& path) { return JsonFields(parse_json_file(path), path); }

void JsonFields::fail(const std::string& key, const std::string& rule) const {
  throw_bad_input(file_, "key \"" + key + "\"", rule);
}

const json* JsonFields::value(const std::string& key) const {
  const auto it = doc_.find(key);
  if (it == doc_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool JsonFields::has(const std::string& key) const { return value(key) != nullptr; }

bool JsonFields::get_bool(const std::string& key, bool fallback) const {
  const json* v = value(key);
  if (!v) return fallback;
  if (!v->is_boolean()) fail(key, std::string("expected a boolean, found ") + type_name(*v));
  return v->get<bool>();
}

std::int64_t JsonFields::get_int(const std::string& key, std::int64_t fallback) const {
  const json* v = value(key);
  if (!v) return fallback;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  // 512.0 is an integer in Python configs too.
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
  }
  fail(key, std::string("expected an integer, found ") + type_name(*v));
}

double JsonFields::get_double(const std::string& key, double fallback) const {
  const json* v = value(key);
  if (!v) return fallback;
  if (v->is_string()) {  // parse_python_json turned a bare -Infinity/Infinity/NaN into text
    const auto& s = v->get_ref<const std::string&>();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  }
  if (!v->is_number()) fail(key, std::string("expected a number, found ") + type_name(*v));
  return v->get<double>();
}

std::string JsonFields::get_string(const std::string& key, const std::string& fallback) const {
  const json* v = value(key);
  if (!v) return fallback;
  if (!v->is_string()) fail(key, std::string("expected a string, found ") + type_name(*v));
  return v->get<std::string>();
}

std::optional<std::int64_t> JsonFields::get_optional_int(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return get_int(key, 0);
}

std::optional<std::string> JsonFields::get_optional_string(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return get_string(key, "");
}

std::vector<std::int64_t> JsonFields::get_int_list(const std::string& key,
                                                   const std::vector<std::int64_t>& fallback) const {
  const json* v = value(key);
  if (!v) return fallback;
  if (!v->is_array()) fail(key, std::string("expected a list of integers, found ") + type_name(*v));
  std::vector<std::int64_t> out;
  for (const auto& e : *v) {
    if (!e.is_number_integer()) fail(key, "expected a list of integers");
    out.push_back(e.get<std::int64_t>());
  }
  return out;
}

std::vector<double> JsonFields::get_double_list(const std::string& key,
                                                const std::vector<double>& fallback) const {
  const json* v = value(key);
  if (!v) return fallback;
  if (!v->is_array()) fail(key, std::string("expected a list of numbers, found ") + type_name(*v));
  std::vector<double> out;
  for (const auto& e : *v) {
    if (!e.is_number()) fail(key, "expected a list of numbers");
    out.push_back(e.get<double>());
  }
  return out;
}

std::vector<std::string> JsonFields::get_string_list(const std::string& key,
                                                     const std::vector<std::string>& fallback) const {
  const json* v = value(key);
  if (!v) return fallback;
  if (!v->is_array()) fail(key, std::string("expected a list of strings, found ") + type_name(*v));
  std::vector<std::string> out;
  for (const auto& e : *v) {
    if (!e.is_string()) fail(key, "expected a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<std::int64_t> JsonFields::get_int_or_list(const std::string& key, std::size_t count,
                                                      const std::vector<std::int64_t>& fallback) const {
  const json* v = value(key);
  std::vector<std::int64_t> out;
  if (!v) {
    out = fallback;
  } else if (v->is_number()) {
    out.assign(count, get_int(key, 0));
  } else {
    out = get_int_list(key, {});
  }
  if (out.size() == 1 && count > 1) out.assign(count, out[0]);
  if (out.size() != count)
    fail(key, "expected one value or a list of " + std::to_string(count) + ", found " +
                  std::to_string(out.size()));
  return out;
}

}  // namespace storyscope
