#include "core/config/vae_config.h"

#include <nlohmann/json.hpp>

#include "core/config/config_checks.h"
#include "core/config/json_fields.h"

namespace storyscope {

namespace {

std::optional<VaeActivation> parse_activation(const std::string& name) {
  // diffusers' get_activation table.
  if (name == "silu" || name == "swish") return VaeActivation::SiLU;
  if (name == "mish") return VaeActivation::Mish;
  if (name == "gelu") return VaeActivation::GELU;
  if (name == "relu") return VaeActivation::ReLU;
  return std::nullopt;
}

std::optional<std::vector<double>> optional_double_list(const JsonFields& f, const std::string& key) {
  if (!f.has(key)) return std::nullopt;
  return f.get_double_list(key, {});
}

void check_block_types(const JsonFields& f, const std::string& key, const std::vector<std::string>& types,
                       const std::string& supported, std::size_t levels) {
  for (const auto& t : types)
    if (t != supported) f.fail(key, "unsupported block type \"" + t + "\" (supported: " + supported + ")");
  if (types.size() != levels)
    f.fail(key, "has " + std::to_string(types.size()) + " entries but block_out_channels has " +
                    std::to_string(levels));
}

}  // namespace

VaeActivation VAEConfig::activation() const {
  // Validated when parsed; a hand-built config with a bad name falls back to diffusers' default.
  return parse_activation(act_fn).value_or(VaeActivation::SiLU);
}

VAEConfig VAEConfig::from_json(const JsonFields& f) {
  VAEConfig c;
  c.in_channels = f.get_int("in_channels", c.in_channels);
  c.out_channels = f.get_int("out_channels", c.out_channels);
  c.down_block_types = f.get_string_list("down_block_types", c.down_block_types);
  c.up_block_types = f.get_string_list("up_block_types", c.up_block_types);
  c.block_out_channels = f.get_int_list("block_out_channels", c.block_out_channels);
  c.layers_per_block = f.get_int("layers_per_block", c.layers_per_block);
  c.act_fn = f.get_string("act_fn", c.act_fn);
  c.latent_channels = f.get_int("latent_channels", c.latent_channels);
  c.norm_num_groups = f.get_int("norm_num_groups", c.norm_num_groups);
  if (f.has("sample_size") && f.doc().at("sample_size").is_array()) {
    const auto sizes = f.get_int_list("sample_size", {});
    if (sizes.empty()) f.fail("sample_size", "expected an integer or a non-empty list");
    c.sample_size = sizes.front();
  } else {
    c.sample_size = f.get_int("sample_size", c.sample_size);
  }
  c.scaling_factor = f.get_double("scaling_factor", c.scaling_factor);
  if (f.has("shift_factor")) c.shift_factor = f.get_double("shift_factor", 0.0);
  c.latents_mean = optional_double_list(f, "latents_mean");
  c.latents_std = optional_double_list(f, "latents_std");
  c.force_upcast = f.get_bool("force_upcast", c.force_upcast);
  c.mid_block_add_attention = f.get_bool("mid_block_add_attention", c.mid_block_add_attention);
  c.use_quant_conv = f.get_bool("use_quant_conv", c.use_quant_conv);
  c.use_post_quant_conv = f.get_bool("use_post_quant_conv", c.use_post_quant_conv);

  require_positive(f, "in_channels", c.in_channels);
  require_positive(f, "out_channels", c.out_channels);
  require_positive(f, "latent_channels", c.latent_channels);
  require_positive(f, "layers_per_block", c.layers_per_block);
  require_positive(f, "norm_num_groups", c.norm_num_groups);
  require_positive(f, "sample_size", c.sample_size);
  if (c.block_out_channels.empty()) f.fail("block_out_channels", "must not be empty");
  if (c.block_out_channels.size() > 16) f.fail("block_out_channels", "more than 16 levels");
  for (auto ch : c.block_out_channels) {
    require_positive(f, "block_out_channels", ch);
    // Every GroupNorm (resnets, mid-block attention, conv_norm_out) spans one level's channels.
    if (ch % c.norm_num_groups != 0)
      f.fail("norm_num_groups", std::to_string(c.norm_num_groups) + " groups do not divide " +
                                    std::to_string(ch) + " channels of block_out_channels");
  }
  const auto levels = c.block_out_channels.size();
  check_block_types(f, "down_block_types", c.down_block_types, "DownEncoderBlock2D", levels);
  check_block_types(f, "up_block_types", c.up_block_types, "UpDecoderBlock2D", levels);
  if (!parse_activation(c.act_fn))
    f.fail("act_fn",
           "unsupported activation \"" + c.act_fn + "\" (supported: silu, swish, mish, gelu, relu)");
  if (c.scaling_factor == 0.0) f.fail("scaling_factor", "must not be 0");
  for (const char* key : {"latents_mean", "latents_std"}) {
    const auto& list = std::string(key) == "latents_mean" ? c.latents_mean : c.latents_std;
    if (list && static_cast<std::int64_t>(list->size()) != c.latent_channels)
      f.fail(key, "has " + std::to_string(list->size()) +
                      " entries, expected latent_channels = " + std::to_string(c.latent_channels));
  }
  return c;
}

VAEConfig VAEConfig::from_json(const nlohmann::json& doc, const std::string& source) {
  return from_json(JsonFields(doc, source));
}

VAEConfig VAEConfig::from_file(const std::string& path) { return from_json(JsonFields::from_file(path)); }

}  // namespace storyscope
