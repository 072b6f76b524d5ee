// storyscope-cli inspect FILE|DIR: what a safetensors file or a model folder holds, or
// precisely why it cannot be read.
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/config/model_family.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace storyscope;

namespace {

json summarise_file(const std::string& path, bool list_tensors) {
  auto file = SafetensorsFile::open(path);
  json out;
  out["file"] = path;
  out["tensors"] = file->entries().size();
  std::map<std::string, std::int64_t> per_dtype;
  std::int64_t params = 0, bytes = 0;
  std::vector<std::string> keys;
  for (const auto& e : file->entries()) {
    per_dtype[st_dtype_name(e.dtype)] += e.numel();
    params += e.numel();
    bytes += static_cast<std::int64_t>(e.end - e.begin);
    keys.push_back(e.name);
  }
  out["parameters"] = params;
  out["bytes"] = bytes;
  out["dtypes"] = per_dtype;
  out["metadata"] = file->metadata();
  const auto unsupported = file->unsupported_tensors();
  if (!unsupported.empty()) out["unsupported_dtype_tensors"] = unsupported;
  const auto family = family_from_checkpoint_keys(keys);
  if (family != ModelFamily::Unknown) out["single_file_checkpoint_family"] = family_name(family);
  if (list_tensors) {
    json list = json::array();
    for (const auto& e : file->entries())
      list.push_back({{"name", e.name}, {"dtype", st_dtype_name(e.dtype)}, {"shape", e.shape}});
    out["tensor_list"] = list;
  }
  return out;
}

json summarise_folder(const fs::path& dir, bool list_tensors) {
  json out;
  out["folder"] = dir.string();
  const fs::path index = dir / "model_index.json";
  std::vector<std::string> components;
  if (fs::exists(index)) {
    const auto doc = JsonFields::from_file(index.string()).doc();
    out["pipeline_class"] = doc.value("_class_name", "");
    for (auto it = doc.begin(); it != doc.end(); ++it)
      // ["diffusers", "UNet2DConditionModel"]; [null, null] marks an absent optional component.
      if (it.key()[0] != '_' && it.value().is_array() && !it.value().empty() && !it.value()[0].is_null())
        components.push_back(it.key());
  } else {
    // A single component folder (config.json + weights).
    components.push_back(".");
  }
  json comps = json::object();
  for (const auto& name : components) {
    const fs::path sub = dir / name;
    json c;
    if (!fs::is_directory(sub)) {
      c["error"] = "listed in model_index.json but the folder is missing";
      comps[name] = c;
      continue;
    }
    for (const char* cfg : {"config.json", "scheduler_config.json", "tokenizer_config.json"})
      if (fs::exists(sub / cfg)) c[cfg] = JsonFields::from_file((sub / cfg).string()).doc();
    if (fs::exists(sub / "vocab.json")) c["tokenizer_files"] = {"vocab.json", "merges.txt"};
    json files = json::array();
    std::int64_t params = 0;
    for (const auto& entry : fs::directory_iterator(sub)) {
      if (entry.path().extension() != ".safetensors") continue;
      auto f = summarise_file(entry.path().string(), list_tensors);
      params = std::max<std::int64_t>(params, f["parameters"].get<std::int64_t>());
      files.push_back(f);
    }
    if (!files.empty()) {
      c["weights"] = files;
      c["parameters"] = params;
    }
    comps[name] = c;
  }
  out["components"] = comps;
  if (comps.contains("unet") && comps["unet"].contains("config.json"))
    out["family"] = family_name(family_from_unet_config(comps["unet"]["config.json"], comps.contains("vae")));
  return out;
}

int cmd_inspect(int argc, char** argv) {
  cli::Args args(argc, argv, {}, {"tensors", "compact"});
  if (args.positional().size() != 1) throw_bad_input("", "inspect", "expected exactly one FILE or DIR");
  const std::string target = args.positional()[0];
  if (!fs::exists(target)) throw_bad_input(target, "", "no such file or folder");
  const json out = fs::is_directory(target) ? summarise_folder(target, args.has("tensors"))
                                            : summarise_file(target, args.has("tensors"));
  std::cout << (args.has("compact") ? out.dump() : out.dump(2)) << "\n";
  return 0;
}

}  // namespace

STORYSCOPE_CLI_COMMAND("inspect", cmd_inspect,
                       "summarise a safetensors file or a model folder (--tensors lists them)");
