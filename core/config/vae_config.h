#pragma once
// diffusers' AutoencoderKL config (0.27 defaults), read from a VAE's config.json. Keys added by
// later diffusers releases (shift_factor, mid_block_add_attention, use_quant_conv,
// use_post_quant_conv) are read too, with the defaults that keep 0.27 behaviour.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace storyscope {

class JsonFields;

enum class VaeActivation { SiLU, Mish, GELU, ReLU };

struct VAEConfig {
  std::int64_t in_channels = 3;
  std::int64_t out_channels = 3;
  std::vector<std::string> down_block_types{"DownEncoderBlock2D"};
  std::vector<std::string> up_block_types{"UpDecoderBlock2D"};
  std::vector<std::int64_t> block_out_channels{64};
  std::int64_t layers_per_block = 1;
  std::string act_fn = "silu";
  std::int64_t latent_channels = 4;
  std::int64_t norm_num_groups = 32;
  std::int64_t sample_size = 32;  // a list in the config keeps its first entry, as diffusers' tiling does
  double scaling_factor = 0.18215;
  std::optional<double> shift_factor;  // latents = (z - shift) * scale (SD3/Flux VAEs)
  std::optional<std::vector<double>> latents_mean, latents_std;
  bool force_upcast = true;  // run this VAE in float32 even when the pipeline runs in fp16
  bool mid_block_add_attention = true;
  bool use_quant_conv = true;
  bool use_post_quant_conv = true;

  VaeActivation activation() const;
  // Pixels per latent along each axis: one downsampler per down block but the last.
  std::int64_t downscale_factor() const { return std::int64_t{1} << (block_out_channels.size() - 1); }

  // Unknown keys are ignored; bad types, unsupported block types or activations and sizes that
  // cannot build a model are Errors naming the key.
  static VAEConfig from_json(const JsonFields& fields);
  static VAEConfig from_json(const nlohmann::json& doc, const std::string& source);
  static VAEConfig from_file(const std::string& path);
};

}  // namespace storyscope
