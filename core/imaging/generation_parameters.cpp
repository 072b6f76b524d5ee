#include "core/imaging/generation_parameters.h"

#include <cmath>
#include <limits>
#include <locale>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/common/error.h"
#include "core/common/utf8.h"

namespace storyscope {
namespace {

constexpr const char* kWhat = "generation parameters";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Python's \w on str is Unicode-aware; every non-ASCII byte counts as a word character here,
// which agrees with it for letters and digits of any script.
bool is_word(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_key_char(char c) { return is_word(c) || c == ' ' || c == '-' || c == '/'; }

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

struct KeyValue {
  std::string key, value;
};

// One match of A1111's re_param, \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$), anchored
// at `pos`. Written out by hand: the pattern is deterministic apart from the quoted-or-not
// alternative, and std::regex recurses per character (stack overflow on long lines).
bool match_param_at(std::string_view s, std::size_t pos, KeyValue& kv, std::size_t& end) {
  const std::size_t n = s.size();
  std::size_t i = pos;
  while (i < n && is_space(s[i])) ++i;
  if (i >= n || !is_word(s[i])) return false;
  const std::size_t key_begin = i++;
  const std::size_t rest = i;
  while (i < n && is_key_char(s[i])) ++i;
  if (i == rest || i >= n || s[i] != ':') return false;
  kv.key = std::string(s.substr(key_begin, i - key_begin));
  ++i;
  while (i < n && is_space(s[i])) ++i;

  if (i < n && s[i] == '"') {
    std::size_t q = i + 1;
    bool closed = false;
    while (q < n) {
      if (s[q] == '\\') {
        if (q + 1 >= n || s[q + 1] == '\n') break;  // `.` needs a character that is not a newline
        q += 2;
      } else if (s[q] == '"') {
        closed = q > i + 1;  // (...)+ needs at least one character between the quotes
        break;
      } else {
        ++q;
      }
    }
    if (closed && (q + 1 == n || s[q + 1] == ',')) {
      kv.value = std::string(s.substr(i, q + 1 - i));
      end = q + 1 == n ? n : q + 2;
      return true;
    }
  }
  const std::size_t value_begin = i;
  while (i < n && s[i] != ',') ++i;
  kv.value = std::string(s.substr(value_begin, i - value_begin));
  end = i < n ? i + 1 : n;
  return true;
}

// re.findall: scan on one character after a failed attempt, on from the end after a match.
std::vector<KeyValue> find_params(std::string_view line) {
  std::vector<KeyValue> found;
  std::size_t pos = 0;
  while (pos < line.size()) {
    KeyValue kv;
    std::size_t end = pos;
    if (match_param_at(line, pos, kv, end)) {
      found.push_back(std::move(kv));
      pos = end;
    } else {
      ++pos;
    }
  }
  return found;
}

// A1111's unquote(): json.loads of a "..." value, the raw text when that fails.
std::string unquote(const std::string& v) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return v;
  try {
    const auto parsed = nlohmann::json::parse(v);
    if (parsed.is_string()) return parsed.get<std::string>();
  } catch (const nlohmann::json::exception&) {
  }
  return v;
}

bool needs_quotes(const std::string& v) {
  // A1111's quote() condition, plus the cases its parser would otherwise not read back
  // exactly (empty values are dropped, leading spaces eaten, "..." values unquoted).
  return v.find_first_of(",\n:") != std::string::npos || v.empty() || is_space(v.front()) || v.front() == '"';
}

std::string quote(const std::string& v) {
  // json.dumps(v, ensure_ascii=False): the same escapes nlohmann writes.
  return needs_quotes(v) ? nlohmann::json(v).dump() : v;
}

std::string format_double(double v) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  for (int precision = 1; precision <= 17; ++precision) {
    out.str("");
    out.precision(precision);
    out << v;
    std::istringstream in(out.str());
    in.imbue(std::locale::classic());
    double back = 0;
    in >> back;
    if (back == v) break;
  }
  return out.str();
}

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool parse_uint64(const std::string& s, std::uint64_t& out) {
  if (!all_digits(s)) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

bool parse_int(const std::string& s, int& out) {
  std::uint64_t v = 0;
  if (!parse_uint64(s, v) || v > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return false;
  out = static_cast<int>(v);
  return true;
}

bool parse_double(const std::string& s, double& out) {
  std::istringstream in(s);
  in.imbue(std::locale::classic());
  double v = 0;
  in >> v;
  if (in.fail() || !in.eof() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

// "512x512" as A1111's re_imagesize ^(\d+)x(\d+)$.
bool parse_size(const std::string& s, int& w, int& h) {
  const auto x = s.find('x');
  if (x == std::string::npos) return false;
  return parse_int(s.substr(0, x), w) && parse_int(s.substr(x + 1), h);
}

bool is_reserved_key(const std::string& k) {
  return k == "Steps" || k == "Sampler" || k == "CFG scale" || k == "Seed" || k == "Size" || k == "Model";
}

void check_utf8(const std::string& s, const std::string& field) {
  if (!is_valid_utf8(s))
    throw_bad_input(kWhat, field, "not valid UTF-8 at byte " + std::to_string(first_invalid_utf8(s)));
}

}  // namespace

std::string format_a1111_parameters(const GenerationParameters& p) {
  check_utf8(p.prompt, "prompt");
  check_utf8(p.negative_prompt, "negative prompt");
  check_utf8(p.sampler, "sampler");
  check_utf8(p.model, "model");
  if (!std::isfinite(p.cfg_scale)) throw_bad_input(kWhat, "CFG scale", "must be finite");
  if (p.steps < 0 || p.width < 0 || p.height < 0)
    throw_bad_input(kWhat, "steps/size", "must not be negative");

  std::string params;
  const auto add = [&params](const std::string& key, const std::string& value) {
    if (!params.empty()) params += ", ";
    params += key + ": " + value;
  };
  add("Steps", std::to_string(p.steps));
  if (!p.sampler.empty()) add("Sampler", quote(p.sampler));
  add("CFG scale", format_double(p.cfg_scale));
  add("Seed", std::to_string(p.seed));
  add("Size", std::to_string(p.width) + "x" + std::to_string(p.height));
  if (!p.model.empty()) add("Model", quote(p.model));
  for (const auto& [key, value] : p.extra) {
    check_utf8(key, "extra key");
    check_utf8(value, "extra \"" + key + "\"");
    bool parsable = key.size() >= 2 && is_word(key.front());
    for (char c : key) parsable = parsable && is_key_char(c);
    if (!parsable)
      throw_bad_input(kWhat, "extra \"" + key + "\"",
                      "key must start with a letter, digit or '_' and hold only those, ' ', '-' and '/' "
                      "(at least 2 characters)");
    if (is_reserved_key(key)) throw_bad_input(kWhat, "extra \"" + key + "\"", "names a fixed field");
    add(key, quote(value));
  }

  std::string text = p.prompt;
  if (!p.negative_prompt.empty()) text += "\nNegative prompt: " + p.negative_prompt;
  text += "\n" + params;
  return std::string(strip(text));
}

GenerationParameters parse_a1111_parameters(std::string_view text) {
  std::vector<std::string_view> lines;
  const std::string_view whole = strip(text);
  for (std::size_t begin = 0;;) {
    const auto nl = whole.find('\n', begin);
    lines.push_back(whole.substr(begin, nl == std::string_view::npos ? std::string_view::npos : nl - begin));
    if (nl == std::string_view::npos) break;
    begin = nl + 1;
  }
  std::string_view last = lines.back();
  lines.pop_back();
  std::vector<KeyValue> params = find_params(last);
  if (params.size() < 3) {
    lines.push_back(last);
    params.clear();
  }

  GenerationParameters p;
  bool in_negative = false;
  for (std::string_view line : lines) {
    line = strip(line);
    static constexpr std::string_view kNegative = "Negative prompt:";
    if (line.substr(0, kNegative.size()) == kNegative) {
      in_negative = true;
      line = strip(line.substr(kNegative.size()));
    }
    std::string& target = in_negative ? p.negative_prompt : p.prompt;
    if (!target.empty()) target += '\n';
    target += line;
  }

  for (auto& [key, raw] : params) {
    if (raw.empty()) continue;  // A1111 skips these (its v[0] raises)
    const std::string v = unquote(raw);
    bool used = false;
    if (key == "Steps") {
      used = parse_int(v, p.steps);
    } else if (key == "Sampler") {
      p.sampler = v;
      used = true;
    } else if (key == "CFG scale") {
      used = parse_double(v, p.cfg_scale);
    } else if (key == "Seed") {
      used = parse_uint64(v, p.seed);
    } else if (key == "Size") {
      int w = 0, h = 0;
      used = parse_size(v, w, h);
      if (used) p.width = w, p.height = h;
    } else if (key == "Model") {
      p.model = v;
      used = true;
    }
    if (!used) p.extra[key] = v;
  }
  return p;
}

std::string a1111_sampler_name(const std::string& scheduler_class) {
  if (scheduler_class == "DDIMScheduler") return "DDIM";
  if (scheduler_class == "DDPMScheduler") return "DDPM";
  if (scheduler_class == "EulerDiscreteScheduler") return "Euler";
  if (scheduler_class == "DPMSolverMultistepScheduler") return "DPM++ 2M";
  return scheduler_class;
}

}  // namespace storyscope
