#include "core/story/story_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/json_text.h"
#include "core/common/utf8.h"
#include "core/schedulers/factory.h"

namespace storyscope {
namespace {

using nlohmann::json;

const char* type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

// Reads the fields of one JSON object, naming every problem by its path in the document
// ("svr.enhance[1]"). Keys nobody asked for are errors, so a typo never silently becomes a default.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string source, std::string prefix)
      : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {
    if (!object_.is_object())
      fail_at(prefix_.empty() ? "(document)" : prefix_,
              std::string("must be an object, not ") + type_name(object_));
  }

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
  const std::string& source() const { return source_; }

  // The value of `key`, or nullptr when absent (null counts as absent: the default applies).
  const json* find(const std::string& key) {
    known_.insert(key);
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  const json& require(const std::string& key) {
    const json* v = find(key);
    if (!v) fail_at(path(key), "is required");
    return *v;
  }

  void read(const std::string& key, std::string* out) {
    if (const json* v = find(key)) *out = as_string(*v, path(key));
  }
  void read(const std::string& key, bool* out) {
    if (const json* v = find(key)) {
      if (!v->is_boolean()) wrong_type(*v, path(key), "a boolean");
      *out = v->get<bool>();
    }
  }
  void read(const std::string& key, double* out) {
    if (const json* v = find(key)) *out = as_double(*v, path(key));
  }
  void read_int(const std::string& key, std::int64_t* out) {
    if (const json* v = find(key)) *out = as_int(*v, path(key));
  }
  void read(const std::string& key, int* out) {
    std::int64_t v = *out;
    read_int(key, &v);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      fail_at(path(key), "is out of range");
    *out = static_cast<int>(v);
  }

  // Call last: every key of the object must have been asked for.
  void reject_unknown_keys() const {
    for (auto it = object_.begin(); it != object_.end(); ++it)
      if (!known_.count(it.key())) fail_at(path(it.key()), "unknown key (valid here: " + known_list() + ")");
  }

  [[noreturn]] void fail_at(const std::string& where, const std::string& rule) const {
    throw_bad_input(source_, where, rule);
  }
  [[noreturn]] void wrong_type(const json& v, const std::string& where, const std::string& wanted) const {
    fail_at(where, "must be " + wanted + ", not " + type_name(v));
  }

  std::string as_string(const json& v, const std::string& where) const {
    if (!v.is_string()) wrong_type(v, where, "a string");
    std::string s = v.get<std::string>();
    if (!is_valid_utf8(s))
      fail_at(where, "is not valid UTF-8 (byte " + std::to_string(first_invalid_utf8(s)) + ")");
    return s;
  }
  double as_double(const json& v, const std::string& where) const {
    if (!v.is_number()) wrong_type(v, where, "a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail_at(where, "must be finite");
    return d;
  }
  std::int64_t as_int(const json& v, const std::string& where) const {
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        fail_at(where, "is too large");
      return static_cast<std::int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    wrong_type(v, where, "an integer");
  }

 private:
  std::string known_list() const {
    std::string s;
    for (const auto& k : known_) s += (s.empty() ? "" : ", ") + k;
    return s;
  }

  const json& object_;
  std::string source_, prefix_;
  std::set<std::string> known_;
};

bool is_blank(const std::string& s) {
  for (unsigned char c : s)
    if (!std::isspace(c)) return false;
  return true;
}

bool is_known_position(const std::string& p) {
  if (p == "down" || p == "mid" || p == "up") return true;
  std::string digits;
  if (p.rfind("down", 0) == 0)
    digits = p.substr(4);
  else if (p.rfind("up", 0) == 0)
    digits = p.substr(2);
  else
    return false;
  if (digits.empty() || digits.size() > 3) return false;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// [alpha, beta] of one SVR weighting.
SvrWeights read_weights(ObjectReader& r, const std::string& key, SvrWeights fallback) {
  const json* v = r.find(key);
  if (!v) return fallback;
  const std::string where = r.path(key);
  if (!v->is_array()) r.wrong_type(*v, where, "an array [alpha, beta]");
  if (v->size() != 2) r.fail_at(where, "must hold exactly two numbers [alpha, beta]");
  return SvrWeights{r.as_double((*v)[0], where + "[0]"), r.as_double((*v)[1], where + "[1]")};
}

void read_window(ObjectReader& top, StorySpec* spec) {
  const json* v = top.find("window");
  if (!v) return;
  ObjectReader r(*v, top.source(), "window");
  std::string mode = window_mode_name(spec->window_mode);
  r.read("mode", &mode);
  spec->window_mode = window_mode_from_name(mode, r.source(), "window.mode");
  r.read("size", &spec->window_size);
  r.reject_unknown_keys();
}

void read_svr(ObjectReader& top, StorySpec* spec) {
  const json* v = top.find("svr");
  if (!v) return;
  ObjectReader r(*v, top.source(), "svr");
  std::string mode = svr_mode_name(spec->svr_mode);
  r.read("mode", &mode);
  spec->svr_mode = svr_mode_from_name(mode, r.source(), "svr.mode");
  spec->enhance = read_weights(r, "enhance", spec->enhance);
  spec->suppress = read_weights(r, "suppress", spec->suppress);
  r.reject_unknown_keys();
}

void read_ipca(ObjectReader& top, StorySpec* spec) {
  const json* v = top.find("ipca");
  if (!v) return;
  ObjectReader r(*v, top.source(), "ipca");
  r.read("enabled", &spec->ipca);
  if (const json* p = r.find("positions")) {
    if (!p->is_array()) r.wrong_type(*p, "ipca.positions", "an array of strings");
    spec->ipca_positions.clear();
    for (std::size_t i = 0; i < p->size(); ++i)
      spec->ipca_positions.push_back(r.as_string((*p)[i], "ipca.positions[" + std::to_string(i) + "]"));
  }
  r.read("start_step", &spec->ipca_start_step);
  r.read("dropout", &spec->ipca_dropout);
  r.reject_unknown_keys();
}

}  // namespace

const char* window_mode_name(WindowMode m) { return m == WindowMode::Circular ? "circular" : "trailing"; }

const char* svr_mode_name(SvrMode m) {
  switch (m) {
    case SvrMode::Svr:
      return "svr";
    case SvrMode::SvrEot:
      return "svr-eot";
    case SvrMode::Npr:
      return "npr";
    case SvrMode::Off:
      return "off";
  }
  return "svr";
}

WindowMode window_mode_from_name(const std::string& name, const std::string& source,
                                 const std::string& field) {
  if (name == "circular") return WindowMode::Circular;
  if (name == "trailing") return WindowMode::Trailing;
  throw_bad_input(source, field, "unknown window mode \"" + name + "\" (valid: circular, trailing)");
}

SvrMode svr_mode_from_name(const std::string& name, const std::string& source, const std::string& field) {
  for (SvrMode m : {SvrMode::Svr, SvrMode::SvrEot, SvrMode::Npr, SvrMode::Off})
    if (name == svr_mode_name(m)) return m;
  throw_bad_input(source, field, "unknown SVR mode \"" + name + "\" (valid: svr, svr-eot, npr, off)");
}

void validate_story(const StorySpec& spec, const std::string& source) {
  const auto fail = [&](const std::string& field, const std::string& rule) {
    throw_bad_input(source, field, rule);
  };
  const auto check_text = [&](const std::string& field, const std::string& text, bool required) {
    if (!is_valid_utf8(text))
      fail(field, "is not valid UTF-8 (byte " + std::to_string(first_invalid_utf8(text)) + ")");
    if (required && is_blank(text)) fail(field, "must not be empty");
  };
  check_text("identity", spec.identity, true);
  if (spec.frames.empty()) fail("frames", "must hold at least one frame prompt");
  for (std::size_t i = 0; i < spec.frames.size(); ++i)
    check_text("frames[" + std::to_string(i) + "]", spec.frames[i], true);
  check_text("negative", spec.negative, false);
  if (spec.steps < 1) fail("steps", "must be at least 1, not " + std::to_string(spec.steps));
  if (!std::isfinite(spec.guidance) || spec.guidance < 0) fail("guidance", "must be a number >= 0");
  check_text("sampler", spec.sampler, false);
  try {
    scheduler_class_for(spec.sampler);
  } catch (const Error& e) {
    fail("sampler", e.rule());
  }
  for (const auto& [field, size] :
       {std::pair<const char*, std::int64_t>{"width", spec.width}, {"height", spec.height}})
    if (size < 0 || size % 8 != 0)
      fail(field, "must be 0 (the model's size) or a positive multiple of 8, not " + std::to_string(size));
  if (spec.window_size < 1)
    fail("window.size", "must be at least 1, not " + std::to_string(spec.window_size));
  const auto check_weights = [&](const std::string& field, const SvrWeights& w) {
    if (!std::isfinite(w.alpha)) fail(field + "[0]", "must be finite");
    if (!std::isfinite(w.beta) || w.beta < 0) fail(field + "[1]", "beta must be a finite number >= 0");
  };
  check_weights("svr.enhance", spec.enhance);
  check_weights("svr.suppress", spec.suppress);
  if (spec.ipca && spec.ipca_positions.empty())
    fail("ipca.positions", "must name at least one position (set ipca.enabled to false to switch IPCA off)");
  for (std::size_t i = 0; i < spec.ipca_positions.size(); ++i)
    if (!is_known_position(spec.ipca_positions[i]))
      fail("ipca.positions[" + std::to_string(i) + "]",
           "unknown position \"" + spec.ipca_positions[i] + "\" (valid: down, mid, up, down<k>, up<k>)");
  if (spec.ipca_start_step < 0) fail("ipca.start_step", "must be >= 0");
  if (!(spec.ipca_dropout >= 0.0 && spec.ipca_dropout < 1.0)) fail("ipca.dropout", "must be in [0, 1)");
}

StorySpec story_from_json(const nlohmann::json& doc, const std::string& source) {
  StorySpec spec;
  ObjectReader r(doc, source, "");
  spec.identity = r.as_string(r.require("identity"), "identity");
  const json& frames = r.require("frames");
  if (!frames.is_array()) r.wrong_type(frames, "frames", "an array of strings");
  spec.frames.clear();
  for (std::size_t i = 0; i < frames.size(); ++i)
    spec.frames.push_back(r.as_string(frames[i], "frames[" + std::to_string(i) + "]"));
  r.read("negative", &spec.negative);
  if (const json* seed = r.find("seed")) {
    if (seed->is_number_unsigned())
      spec.seed = seed->get<std::uint64_t>();
    else if (seed->is_number_integer())  // signed: only negative values land here
      r.fail_at("seed", "must be an integer in [0, 2^64)");
    else
      r.wrong_type(*seed, "seed", "an integer");
  }
  r.read("steps", &spec.steps);
  r.read("guidance", &spec.guidance);
  r.read("sampler", &spec.sampler);
  r.read_int("width", &spec.width);
  r.read_int("height", &spec.height);
  read_window(r, &spec);
  read_svr(r, &spec);
  read_ipca(r, &spec);
  r.read("same_noise", &spec.same_noise);
  r.reject_unknown_keys();
  validate_story(spec, source);
  return spec;
}

nlohmann::json story_to_json(const StorySpec& spec) {
  json doc = json::object();
  doc["identity"] = spec.identity;
  doc["frames"] = spec.frames;
  doc["negative"] = spec.negative;
  doc["seed"] = spec.seed;
  doc["steps"] = spec.steps;
  doc["guidance"] = spec.guidance;
  doc["sampler"] = spec.sampler;
  doc["width"] = spec.width;
  doc["height"] = spec.height;
  doc["window"] = {{"mode", window_mode_name(spec.window_mode)}, {"size", spec.window_size}};
  doc["svr"] = {{"mode", svr_mode_name(spec.svr_mode)},
                {"enhance", {spec.enhance.alpha, spec.enhance.beta}},
                {"suppress", {spec.suppress.alpha, spec.suppress.beta}}};
  doc["ipca"] = {{"enabled", spec.ipca},
                 {"positions", spec.ipca_positions},
                 {"start_step", spec.ipca_start_step},
                 {"dropout", spec.ipca_dropout}};
  doc["same_noise"] = spec.same_noise;
  return doc;
}

StorySpec read_story_file(const std::string& path) {
  const std::string text = read_file(path);
  // nlohmann rejects bad UTF-8 with a bare byte offset; say what it is first.
  if (const std::size_t bad = first_invalid_utf8(text); bad != std::string::npos)
    throw_bad_input(path, text_position(text, bad), "the file is not valid UTF-8");
  const json doc = parse_json_text(text, path);
  return story_from_json(doc, path);
}

void write_story_file(const std::string& path, const StorySpec& spec) {
  validate_story(spec, path);
  write_file_atomically(path, story_to_json(spec).dump(2) + "\n");
}

}  // namespace storyscope
