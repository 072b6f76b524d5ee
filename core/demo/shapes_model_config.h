#pragma once
// The demo model's architecture and noise schedule, as the config documents a diffusers folder
// carries (unet/config.json, text_encoder/config.json, scheduler/scheduler_config.json). The
// classes are the ones real Stable Diffusion uses; only the sizes are small.
//
// Presets:
// - cpu32: 32x32 pixels, UNet channels (32, 48, 64), one layer per block, cross-attention at
//   16x16, 8x8 and in the mid block; 3-layer, 128-wide text encoder (about 2.3M parameters). Sized so a
//   training step at batch 32 costs about half a second on 2 CPU cores (measured numbers in trainer.h's
//   notes).
// - gpu64: 64x64 pixels, UNet channels (64, 128, 192, 192), two layers per block,
//   cross-attention at 32x32, 16x16 and 8x8 (mid); 3-layer, 256-wide text encoder. Meant for a
//   GPU (about 24M parameters: <= 50 MB as fp16); not trained on the CPU.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace storyscope {

enum class ShapesPreset { Cpu32, Gpu64 };

// "cpu32" | "gpu64"; anything else throws Error(BadInput) naming `where`.
ShapesPreset parse_shapes_preset(const std::string& name, const std::string& where = "--preset");
std::string shapes_preset_name(ShapesPreset preset);

// What the text encoder config needs from the tokenizer.
struct ShapesTokenizerInfo {
  std::int64_t vocab_size = 0;
  std::int64_t bos_token_id = 0;
  std::int64_t eos_token_id = 0;
  std::int64_t pad_token_id = 0;
};

struct ShapesModelConfig {
  std::string preset;
  std::int64_t image_size = 0;  // H == W in pixels (pixel-space: also the UNet sample_size)
  nlohmann::json unet;          // UNet2DConditionModel config.json
  nlohmann::json text_encoder;  // CLIPTextModel config.json
  nlohmann::json scheduler;     // DDIMScheduler scheduler_config.json with the training betas
};

ShapesModelConfig shapes_model_config(ShapesPreset preset, const ShapesTokenizerInfo& tokenizer);

// The noise schedule the trainer uses and inference reads back: 1000 steps of the cosine
// ("squaredcos_cap_v2") schedule, which keeps more low-noise steps than SD's scaled_linear and
// suits small pixel-space images; epsilon prediction, DDIM class for sampling.
nlohmann::json shapes_scheduler_config();

}  // namespace storyscope
