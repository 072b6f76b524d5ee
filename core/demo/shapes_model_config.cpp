#include "core/demo/shapes_model_config.h"

#include "core/common/error.h"

namespace storyscope {
namespace {

using json = nlohmann::json;

struct UNetShape {
  std::int64_t image_size;
  std::vector<std::int64_t> channels;
  std::vector<std::string> down, up;
  std::int64_t layers_per_block;
  std::vector<std::int64_t> heads;  // attention heads per level
  std::int64_t norm_num_groups;
};

json unet_json(const UNetShape& s, std::int64_t cross_attention_dim) {
  // diffusers' historic naming: "attention_head_dim" holds the number of HEADS per block
  // (num_attention_heads falls back to it).
  return json{{"_class_name", "UNet2DConditionModel"},
              {"_diffusers_version", "0.27.0"},
              {"sample_size", s.image_size},
              {"in_channels", 3},
              {"out_channels", 3},
              {"center_input_sample", false},
              {"flip_sin_to_cos", true},
              {"freq_shift", 0},
              {"down_block_types", s.down},
              {"mid_block_type", "UNetMidBlock2DCrossAttn"},
              {"up_block_types", s.up},
              {"block_out_channels", s.channels},
              {"layers_per_block", s.layers_per_block},
              {"downsample_padding", 1},
              {"mid_block_scale_factor", 1},
              {"act_fn", "silu"},
              {"norm_num_groups", s.norm_num_groups},
              {"norm_eps", 1e-5},
              {"cross_attention_dim", cross_attention_dim},
              {"attention_head_dim", s.heads},
              {"use_linear_projection", true},
              {"upcast_attention", false}};
}

json text_json(const ShapesTokenizerInfo& t, std::int64_t hidden, std::int64_t layers, std::int64_t heads) {
  return json{{"_name_or_path", "storyscope/shapes-demo"},
              {"architectures", {"CLIPTextModel"}},
              {"model_type", "clip_text_model"},
              {"vocab_size", t.vocab_size},
              {"hidden_size", hidden},
              {"intermediate_size", hidden * 4},
              {"projection_dim", hidden},
              {"num_hidden_layers", layers},
              {"num_attention_heads", heads},
              {"max_position_embeddings", 77},
              {"hidden_act", "quick_gelu"},
              {"layer_norm_eps", 1e-5},
              {"attention_dropout", 0.0},
              {"dropout", 0.0},
              {"initializer_range", 0.02},
              {"initializer_factor", 1.0},
              {"bos_token_id", t.bos_token_id},
              {"eos_token_id", t.eos_token_id},
              {"pad_token_id", t.pad_token_id},
              {"torch_dtype", "float32"}};
}

}  // namespace

ShapesPreset parse_shapes_preset(const std::string& name, const std::string& where) {
  if (name == "cpu32") return ShapesPreset::Cpu32;
  if (name == "gpu64") return ShapesPreset::Gpu64;
  throw_bad_input(where, name, "unknown preset: use cpu32 or gpu64");
}

std::string shapes_preset_name(ShapesPreset preset) {
  return preset == ShapesPreset::Cpu32 ? "cpu32" : "gpu64";
}

json shapes_scheduler_config() {
  return json{{"_class_name", "DDIMScheduler"},
              {"_diffusers_version", "0.27.0"},
              {"num_train_timesteps", 1000},
              {"beta_schedule", "squaredcos_cap_v2"},
              {"beta_start", 0.0001},
              {"beta_end", 0.02},
              {"prediction_type", "epsilon"},
              {"clip_sample", true},
              {"clip_sample_range", 1.0},
              {"set_alpha_to_one", false},
              {"steps_offset", 1},
              {"timestep_spacing", "leading"},
              {"trained_betas", nullptr}};
}

ShapesModelConfig shapes_model_config(ShapesPreset preset, const ShapesTokenizerInfo& tokenizer) {
  if (tokenizer.vocab_size <= 0)
    throw_bad_input("tokenizer", "vocab_size", "the tokenizer has no vocabulary");
  ShapesModelConfig c;
  c.preset = shapes_preset_name(preset);
  c.scheduler = shapes_scheduler_config();
  if (preset == ShapesPreset::Cpu32) {
    // 32 -> 16 -> 8: plain ResNets at full size (attention there would triple the step time),
    // cross-attention at 16x16, 8x8 and in the mid block, so down/mid/up maps all exist. The
    // 16x16 level dominates the step time (self-attention over 256 positions and the 4x
    // feed-forward), hence 48 channels there: ~35% cheaper per step than 64, measured.
    // Heads 48 and 2 x 32 wide; GroupNorm in groups of 16 (48 is not a multiple of 32).
    const UNetShape s{32,
                      {32, 48, 64},
                      {"DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"},
                      {"CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"},
                      1,
                      {1, 1, 2},
                      16};
    c.image_size = s.image_size;
    c.unet = unet_json(s, 128);
    c.text_encoder = text_json(tokenizer, 128, 3, 4);
  } else {
    // 64 -> 32 -> 16 -> 8: cross-attention at 32x32, 16x16 and in the 8x8 mid block.
    const UNetShape s{64,
                      {64, 128, 192, 192},
                      {"DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"},
                      {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"},
                      2,
                      {2, 4, 6, 6},  // 32 channels per head
                      32};
    c.image_size = s.image_size;
    c.unet = unet_json(s, 256);
    c.text_encoder = text_json(tokenizer, 256, 3, 8);
  }
  return c;
}

}  // namespace storyscope
