// Fuzz target: the single-file checkpoint key converter (original LDM / A1111 layout to diffusers
// components). The input is a key list as a checkpoint's header would give it, one tensor a line:
//   model.diffusion_model.input_blocks.0.0.weight 320,4,3,3
// (a missing shape is a scalar). The family is detected from the keys as the loader does, the
// tiny configs of that family are used, and the mapping runs; when the shapes are small the
// real conversion runs on zero tensors and must give exactly the shapes the mapping promised.
// storyscope::Error (model or bad input) is the expected outcome.
#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/pipeline/ldm_checkpoint.h"
#include "fuzz_support.h"

namespace {

using namespace storyscope;

struct Configs {
  UNetConfig unet;
  VAEConfig vae;
};

// The tiny test pipelines' configs (two levels, five text layers): the same key rules as the
// built-in full-size configs, with a table a tenth the size, so far more executions per second.
// SD2 differs from SD1 in its linear proj_in/proj_out, which changes the transforms.
const Configs& configs_for(ModelFamily family) {
  static const std::map<ModelFamily, Configs> all = [] {
    const std::string e2e = std::string(STORYSCOPE_FIXTURES_DIR) + "/e2e/";
    const std::string sd15 = e2e + "tiny_sd15_pipeline/", sdxl = e2e + "tiny_sdxl_pipeline/";
    const VAEConfig vae = VAEConfig::from_file(sd15 + "vae/config.json");
    nlohmann::json sd2_unet = JsonFields::parse_json_file(sd15 + "unet/config.json");
    sd2_unet["use_linear_projection"] = true;
    std::map<ModelFamily, Configs> m;
    m[ModelFamily::SD1] = {UNetConfig::from_file(sd15 + "unet/config.json"), vae};
    m[ModelFamily::SD2] = {UNetConfig::from_json(sd2_unet, "tiny sd2 unet"), vae};
    m[ModelFamily::SDXL] = {UNetConfig::from_file(sdxl + "unet/config.json"),
                            VAEConfig::from_file(sdxl + "vae/config.json")};
    return m;
  }();
  const auto it = all.find(family);
  return it != all.end() ? it->second : all.at(ModelFamily::SD1);
}

// "a,b,c" (or "axbxc"); dimensions as a safetensors header allows them: 0 .. 2^31.
std::vector<std::int64_t> parse_shape(std::string_view s) {
  std::vector<std::int64_t> shape;
  std::int64_t dim = -1;
  for (const char c : s) {
    if (c >= '0' && c <= '9') {
      dim = (dim < 0 ? 0 : dim) * 10 + (c - '0');
      if (dim > (std::int64_t{1} << 31)) dim = std::int64_t{1} << 31;
    } else if (dim >= 0) {
      shape.push_back(dim);
      dim = -1;
    }
    if (shape.size() >= 8) break;
  }
  if (dim >= 0 && shape.size() < 8) shape.push_back(dim);
  return shape;
}

std::map<std::string, std::vector<std::int64_t>> parse_keys(std::string_view text) {
  std::map<std::string, std::vector<std::int64_t>> keys;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const std::size_t space = line.find(' ');
    const std::string_view name = line.substr(0, space);
    if (name.empty()) continue;
    keys[std::string(name)] =
        space == std::string_view::npos ? std::vector<std::int64_t>{} : parse_shape(line.substr(space + 1));
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  configs_for(ModelFamily::SD1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto shapes = parse_keys(std::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<std::string> keys;
  // Converted on real (zero) tensors only when small. As in the safetensors reader, every
  // running product of the dimensions counts, not only the final one: [2^31, 2^31, 0] is no
  // tensor LibTorch can make.
  constexpr std::int64_t kMaxElements = 1 << 16;
  std::int64_t total = 0;
  bool small = true;
  for (const auto& [k, s] : shapes) {
    keys.push_back(k);
    std::int64_t n = 1;
    for (const auto d : s) {
      if (d != 0 && n > kMaxElements / d) small = false;
      n = small ? n * d : 0;
    }
    total += n;
    small = small && total <= kMaxElements;
  }
  const Configs& cfg = configs_for(detect_checkpoint_family(keys));
  LdmKeyMapping mapping;
  try {
    mapping = map_ldm_keys(shapes, "fuzz.safetensors", cfg.unet, cfg.vae);
  } catch (const Error&) {
    return 0;
  }
  for (const auto& [key, targets] : mapping.mapped) FUZZ_CHECK(shapes.count(key) == 1 && !targets.empty());
  if (!small) return 0;

  TensorMap ldm;
  for (const auto& [k, s] : shapes) ldm[k] = at::zeros(s, at::kFloat);
  const ConvertedCheckpoint converted = convert_ldm_checkpoint(ldm, "fuzz.safetensors", cfg.unet, cfg.vae);
  const std::map<std::string, const TensorMap*> components = {{"unet", &converted.unet},
                                                              {"vae", &converted.vae},
                                                              {"text_encoder", &converted.text_encoder},
                                                              {"text_encoder_2", &converted.text_encoder_2}};
  for (const auto& [key, targets] : mapping.mapped)
    for (const auto& m : targets) {
      const TensorMap& out = *components.at(m.component);
      const auto it = out.find(m.key);
      FUZZ_CHECK(it != out.end());
      FUZZ_CHECK(it->second.sizes().vec() == m.shape);
    }
  return 0;
}
