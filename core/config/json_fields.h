#pragma once
// Typed access to the keys of a diffusers/transformers config.json: absent or null keys take
// the library's default, unknown keys are ignored, a key of the wrong type is an Error that
// names the file and the key.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace storyscope {

// JSON as Python's json module writes it (diffusers configs, for one): bare NaN, Infinity and
// -Infinity outside strings become the strings "NaN", "Infinity", "-Infinity", which
// JsonFields::get_double reads back as numbers. Broken JSON is an Error naming `file`.
nlohmann::json parse_python_json(const std::string& text, const std::string& file);

class JsonFields {
 public:
  JsonFields(nlohmann::json doc, std::string file);
  // Parses `path`; broken JSON, a non-object or invalid UTF-8 is an Error naming the file.
  static JsonFields from_file(const std::string& path);
  static nlohmann::json parse_json_file(const std::string& path);

  const nlohmann::json& doc() const { return doc_; }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;  // present and not null

  bool get_bool(const std::string& key, bool fallback) const;
  std::int64_t get_int(const std::string& key, std::int64_t fallback) const;
  double get_double(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::optional<std::int64_t> get_optional_int(const std::string& key) const;
  std::optional<std::string> get_optional_string(const std::string& key) const;
  std::vector<std::int64_t> get_int_list(const std::string& key,
                                         const std::vector<std::int64_t>& fallback) const;
  std::vector<double> get_double_list(const std::string& key, const std::vector<double>& fallback) const;
  std::vector<std::string> get_string_list(const std::string& key,
                                           const std::vector<std::string>& fallback) const;
  // diffusers accepts either one int for every block or a list with one per block.
  std::vector<std::int64_t> get_int_or_list(const std::string& key, std::size_t count,
                                            const std::vector<std::int64_t>& fallback) const;

  [[noreturn]] void fail(const std::string& key, const std::string& rule) const;

 private:
  const nlohmann::json* value(const std::string& key) const;
  nlohmann::json doc_;
  std::string file_;
};

}  // namespace storyscope
