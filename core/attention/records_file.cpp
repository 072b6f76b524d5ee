#include "core/attention/records_file.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"

namespace storyscope {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kFormat = "storyscope.attention_records";
constexpr std::int64_t kMaxGridSide = 1 << 16;

std::string tensor_name(const AttentionRecord& r) {
  char step[32];
  if (r.step >= 0)
    std::snprintf(step, sizeof step, "step%03d", r.step);
  else
    std::snprintf(step, sizeof step, "step_none");
  return std::string(step) + "/" + r.layer + "/row" + std::to_string(r.batch_row);
}

Place place_from_name(const std::string& s) {
  for (const Place p : {Place::Down, Place::Mid, Place::Up, Place::Other})
    if (s == place_name(p)) return p;
  return Place::Other;
}

// Shape a record's tensor must have, from its index entry alone.
std::vector<std::int64_t> expected_shape(const AttentionRecord& r, std::int64_t keys, std::int64_t heads) {
  const std::int64_t hw = r.height * r.width;
  std::vector<std::int64_t> shape;
  if (r.per_head) shape.push_back(heads);
  shape.push_back(r.is_cross ? keys : hw);
  shape.push_back(hw);
  return shape;
}

// Required fields of one index object; every failure names the file and the record.
class Entry {
 public:
  Entry(const json& obj, const std::string& file, std::string where)
      : obj_(obj), file_(file), where_(std::move(where)) {
    if (!obj_.is_object()) fail("", "must be a JSON object");
  }
  [[noreturn]] void fail(const std::string& key, const std::string& rule) const {
    throw_bad_input(file_, key.empty() ? where_ : where_ + " key \"" + key + "\"", rule);
  }
  const json& at(const std::string& key) const {
    const auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) fail(key, "missing");
    return *it;
  }
  std::string str(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
  }
  std::int64_t integer(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) fail(key, "must be an integer");
    return v.get<std::int64_t>();
  }
  double number(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_number()) fail(key, "must be a number");
    return v.get<double>();
  }
  bool boolean(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_boolean()) fail(key, "must be true or false");
    return v.get<bool>();
  }
  std::vector<std::int64_t> ints(const std::string& key, std::size_t count = 0) const {
    const json& v = at(key);
    if (!v.is_array()) fail(key, "must be a list of integers");
    std::vector<std::int64_t> out;
    for (const auto& x : v) {
      if (!x.is_number_integer()) fail(key, "must be a list of integers");
      out.push_back(x.get<std::int64_t>());
    }
    if (count && out.size() != count) fail(key, "must have " + std::to_string(count) + " entries");
    return out;
  }
  std::vector<std::string> strings(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_array()) fail(key, "must be a list of strings");
    std::vector<std::string> out;
    for (const auto& x : v) {
      if (!x.is_string()) fail(key, "must be a list of strings");
      out.push_back(x.get<std::string>());
    }
    return out;
  }

 private:
  const json& obj_;
  const std::string& file_;
  std::string where_;
};

}  // namespace

void save_attention_records(const AttentionRecordSet& set, const std::string& tensors_path,
                            const std::string& index_path) {
  json index;
  index["format"] = kFormat;
  index["format_version"] = kAttentionRecordsFormatVersion;
  index["tensors_file"] = fs::path(tensors_path).filename().string();
  index["tokens"] = set.tokens;
  index["token_positions"] = set.token_positions;
  index["token_ids"] = set.token_ids;
  index["latent_size"] = {set.latent_height, set.latent_width};
  index["notes"] = set.notes;
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  std::set<std::string> used;
  const auto entries = [&](const std::vector<AttentionRecord>& list, const char* what) {
    json records = json::array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const AttentionRecord& r = list[i];
      if (!r.probs.defined())
        throw_bad_input(tensors_path, std::string(what) + " " + std::to_string(i) + " (" + r.layer + ")",
                        "has no tensor");
      // The same layer, step and row twice (a UNet called twice per step) keeps both.
      const std::string base = tensor_name(r) + (r.keys.empty() ? "" : "/" + r.keys);
      std::string name = base;
      for (int dup = 1; !used.insert(name).second; ++dup) name = base + "#" + std::to_string(dup);
      const at::Tensor t = r.probs.to(at::kCPU, at::kHalf).contiguous();
      json e;
      e["tensor"] = name;
      e["layer"] = r.layer;
      e["place"] = place_name(r.place);
      e["block"] = r.block_index;
      e["is_cross"] = r.is_cross;
      e["size"] = {r.height, r.width};
      e["native_size"] = {r.native_height, r.native_width};
      e["step"] = r.step;
      e["timestep"] = r.timestep;
      e["row"] = r.batch_row;
      e["per_head"] = r.per_head;
      e["shape"] = t.sizes().vec();
      if (!r.keys.empty()) {
        e["keys"] = r.keys;
        e["weight"] = r.weight;
      }
      records.push_back(std::move(e));
      tensors.emplace_back(std::move(name), t);
    }
    return records;
  };
  index["records"] = entries(set.records, "record");
  // Attention over keys a modifier added (IP-Adapter image tokens): [(heads,) tokens, h*w].
  if (!set.added_records.empty()) index["added_records"] = entries(set.added_records, "added record");
  write_safetensors(tensors_path, tensors,
                    {{"format", kFormat},
                     {"format_version", std::to_string(kAttentionRecordsFormatVersion)},
                     {"index_file", fs::path(index_path).filename().string()}});
  write_file_atomically(index_path, index.dump(1) + "\n");
}

void save_attention_records(const AttentionRecordSet& set, const std::string& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw_bad_input(folder, "attention records folder", "cannot create it: " + ec.message());
  save_attention_records(set, (fs::path(folder) / kAttentionRecordsTensorsFile).string(),
                         (fs::path(folder) / kAttentionRecordsIndexFile).string());
}

AttentionRecordSet load_attention_records(const std::string& tensors_path, const std::string& index_path) {
  const json doc = JsonFields::parse_json_file(index_path);
  const Entry top(doc, index_path, "index");
  if (top.str("format") != kFormat) top.fail("format", std::string("must be \"") + kFormat + "\"");
  const std::int64_t version = top.integer("format_version");
  if (version < 1 || version > kAttentionRecordsFormatVersion)
    top.fail("format_version", "version " + std::to_string(version) +
                                   " is not supported (this build reads 1 to " +
                                   std::to_string(kAttentionRecordsFormatVersion) + ")");
  AttentionRecordSet set;
  set.tokens = top.strings("tokens");
  set.token_positions = top.ints("token_positions");
  set.token_ids = top.ints("token_ids");
  const auto latent = top.ints("latent_size", 2);
  set.latent_height = latent[0];
  set.latent_width = latent[1];
  set.notes = top.strings("notes");
  if (!set.tokens.empty() && set.tokens.size() != set.token_positions.size())
    top.fail("tokens", "must have one entry per token position");
  if (!set.token_ids.empty() && set.token_ids.size() != set.token_positions.size())
    top.fail("token_ids", "must have one entry per token position");

  const json& list = top.at("records");
  if (!list.is_array()) top.fail("records", "must be a list");
  const auto file = SafetensorsFile::open(tensors_path);
  const auto token_keys = static_cast<std::int64_t>(set.token_positions.size());
  std::set<std::string> seen;
  const bool has_added = doc.contains("added_records") && !doc.at("added_records").is_null();
  if (has_added && !doc.at("added_records").is_array()) top.fail("added_records", "must be a list");
  const std::size_t plain = list.size();
  const std::size_t total = plain + (has_added ? doc.at("added_records").size() : 0);
  for (std::size_t n = 0; n < total; ++n) {
    const bool added = n >= plain;
    const std::size_t i = added ? n - plain : n;
    const json& item = added ? doc.at("added_records")[i] : list[i];
    const Entry e(item, index_path, (added ? "added record " : "record ") + std::to_string(i));
    AttentionRecord r;
    const std::string name = e.str("tensor");
    if (!seen.insert(name).second) e.fail("tensor", "\"" + name + "\" is used by an earlier record");
    r.layer = e.str("layer");
    r.place = place_from_name(e.str("place"));
    r.block_index = static_cast<int>(e.integer("block"));
    r.is_cross = e.boolean("is_cross");
    const auto size = e.ints("size", 2), native = e.ints("native_size", 2);
    r.height = size[0];
    r.width = size[1];
    r.native_height = native[0];
    r.native_width = native[1];
    if (r.height <= 0 || r.width <= 0) e.fail("size", "must be positive");
    // Bounded so height * width cannot overflow (found by tests/fuzz/fuzz_records); real grids
    // are latent-sized, at most a few hundred a side.
    if (r.height > kMaxGridSide || r.width > kMaxGridSide)
      e.fail("size", "must be at most " + std::to_string(kMaxGridSide) + " a side");
    r.step = static_cast<int>(e.integer("step"));
    r.timestep = e.number("timestep");
    r.batch_row = static_cast<int>(e.integer("row"));
    r.per_head = e.boolean("per_head");
    const auto shape = e.ints("shape");
    std::int64_t keys = token_keys;
    if (added) {
      r.keys = e.str("keys");
      r.weight = e.number("weight");
      if (r.keys.empty()) e.fail("keys", "must name the added keys");
      if (!r.is_cross) e.fail("is_cross", "an added record is a cross-attention map");
      keys = shape.size() >= 2 ? shape[shape.size() - 2] : 0;  // its own token count
      if (keys <= 0) e.fail("shape", "must have a positive token count");
    }

    const std::string where =
        (added ? "added record " : "record ") + std::to_string(i) + " (tensor \"" + name + "\")";
    const TensorEntry* te = file->find(name);
    if (!te) throw_bad_input(tensors_path, where, "the index names a tensor the file does not have");
    if (te->dtype != StDType::F16) throw_bad_input(tensors_path, where, "must be float16");
    if (te->shape != shape)
      throw_bad_input(
          tensors_path, where,
          "shape " + shape_to_string(te->shape) + " differs from the index's " + shape_to_string(shape));
    const std::int64_t heads = r.per_head && !shape.empty() ? shape[0] : 1;
    const auto want = expected_shape(r, r.is_cross ? keys : 0, heads);
    if (shape != want)
      e.fail("shape", shape_to_string(shape) +
                          " does not fit the record's size, kind and token count (expected " +
                          shape_to_string(want) + ")");
    r.probs = file->tensor(name);
    (added ? set.added_records : set.records).push_back(std::move(r));
  }
  return set;
}

AttentionRecordSet load_attention_records(const std::string& folder) {
  return load_attention_records((fs::path(folder) / kAttentionRecordsTensorsFile).string(),
                                (fs::path(folder) / kAttentionRecordsIndexFile).string());
}

}  // namespace storyscope
