#pragma once
// diffusers' UNet2DConditionModel config (unet/config.json), with diffusers 0.27 defaults and
// every per-block value expanded to one entry per down block, as diffusers does in __init__.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace storyscope {

struct UNetConfig {
  std::string source = "unet config";  // file (or label) named in errors

  std::optional<std::int64_t> sample_size;  // latent size the model was trained at
  std::int64_t in_channels = 4;
  std::int64_t out_channels = 4;
  bool center_input_sample = false;
  bool flip_sin_to_cos = true;
  double freq_shift = 0.0;
  std::vector<std::string> down_block_types{"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                            "CrossAttnDownBlock2D", "DownBlock2D"};
  std::optional<std::string> mid_block_type{"UNetMidBlock2DCrossAttn"};  // none: no mid block
  std::vector<std::string> up_block_types{"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                                          "CrossAttnUpBlock2D"};
  std::vector<std::int64_t> block_out_channels{320, 640, 1280, 1280};
  std::int64_t downsample_padding = 1;
  double mid_block_scale_factor = 1.0;
  std::string act_fn = "silu";
  std::int64_t norm_num_groups = 32;
  double norm_eps = 1e-5;
  bool use_linear_projection = false;
  bool upcast_attention = false;
  std::string resnet_time_scale_shift = "default";  // or "scale_shift"
  std::string time_embedding_type = "positional";
  std::optional<std::int64_t> time_embedding_dim;
  std::int64_t conv_in_kernel = 3;
  std::int64_t conv_out_kernel = 3;

  // SDXL: "text_time" adds an embedding of (pooled text embeds, sinusoidal time ids).
  std::optional<std::string> addition_embed_type;
  std::optional<std::int64_t> addition_time_embed_dim;
  std::optional<std::int64_t> projection_class_embeddings_input_dim;

  // One entry per down block (index = level); up blocks read them reversed.
  std::vector<std::int64_t> layers_per_block;
  std::vector<std::int64_t> cross_attention_dim;
  std::vector<std::int64_t> transformer_layers_per_block;
  std::vector<std::int64_t>
      num_attention_heads;  // resolved: attention_head_dim when num_attention_heads is null
  std::vector<bool> only_cross_attention;
  bool mid_block_only_cross_attention = false;

  static UNetConfig from_file(const std::string& path);
  static UNetConfig from_json(const nlohmann::json& doc, const std::string& source);

  // Consistency of list lengths, channel/group divisibility; throws Error naming the key.
  void validate() const;

  std::size_t num_levels() const { return block_out_channels.size(); }
  std::int64_t time_embed_dim() const { return time_embedding_dim.value_or(block_out_channels.at(0) * 4); }
  bool has_text_time() const { return addition_embed_type.has_value(); }
  static bool is_cross_attn_block(const std::string& type);
};

}  // namespace storyscope
