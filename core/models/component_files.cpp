#include "core/models/component_files.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/common/error.h"
#include "core/tensor/safetensors.h"

namespace fs = std::filesystem;

namespace storyscope {
namespace {
// "diffusion_pytorch_model.fp16.safetensors" -> "fp16"; plain names -> "".
std::string variant_of(const fs::path& p) {
  const std::string stem = p.stem().string();  // strips .safetensors
  const auto dot = stem.rfind('.');
  if (dot == std::string::npos) return "";
  const std::string tail = stem.substr(dot + 1);
  return tail;
}
}  // namespace

ComponentFiles locate_component(const std::string& dir, const std::string& subfolder,
                                const std::string& variant) {
  fs::path folder = dir;
  if (!fs::is_directory(folder)) throw_bad_input(dir, "", "not a folder");
  if (!subfolder.empty() && fs::is_directory(folder / subfolder) && !fs::exists(folder / "config.json"))
    folder /= subfolder;
  ComponentFiles out;
  out.folder = folder.string();
  for (const char* name : {"config.json", "scheduler_config.json"})
    if (fs::exists(folder / name)) {
      out.config = (folder / name).string();
      break;
    }
  if (out.config.empty())
    throw_bad_input(
        out.folder, "",
        "no config.json here" +
            (subfolder.empty() ? std::string() : " (looked for the \"" + subfolder + "\" component)"));

  std::map<std::string, std::vector<std::string>> by_variant;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().extension() == ".safetensors")
      by_variant[variant_of(entry.path())].push_back(entry.path().string());
  if (by_variant.empty()) {
    const bool has_bin =
        fs::exists(folder / "diffusion_pytorch_model.bin") || fs::exists(folder / "pytorch_model.bin");
    throw_bad_input(out.folder, "",
                    has_bin ? "only .bin (pickle) weights found; StoryScope reads .safetensors only"
                            : "no .safetensors weights in this folder");
  }
  auto pick = by_variant.find(variant);
  if (pick == by_variant.end()) {
    if (!variant.empty()) throw_bad_input(out.folder, "", "no weights of variant \"" + variant + "\"");
    pick = by_variant.begin();
  }
  out.weights = pick->second;
  std::sort(out.weights.begin(), out.weights.end());
  return out;
}

TensorMap load_component_weights(const ComponentFiles& files) {
  TensorMap all;
  std::map<std::string, std::string> origin;
  for (const auto& path : files.weights) {
    auto file = SafetensorsFile::open(path);
    for (auto& [name, t] : tensors_of(file)) {
      if (!origin.emplace(name, path).second)
        throw_bad_input(path, "tensor \"" + name + "\"", "also present in " + origin[name]);
      all[name] = t;
    }
  }
  return all;
}

}  // namespace storyscope
