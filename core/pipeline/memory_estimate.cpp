#include "core/pipeline/memory_estimate.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/common/error.h"
#include "core/common/memory.h"

namespace storyscope {

namespace {
// Calibration: SD 1.5 at 64x64 latents, batch 2, fp32 measured ~0.30 GB of activations above
// the weights with the blocked attention kernel; 24 widest-level tensors reproduce it.
constexpr std::int64_t kUNetWorkingTensors = 24;
// A decoder resnet at the output resolution keeps input, two convolutions and a norm alive.
constexpr std::int64_t kVaeWorkingTensors = 6;
// Training keeps what backward needs. A ResNet block saves its input, two GroupNorm outputs, two
// SiLU outputs and two convolution outputs (~8 tensors of c*h*w); a transformer block its three
// LayerNorm outputs, q/k/v and attention outputs of both attentions, and the GEGLU feed-forward's
// 8c-wide projection and 4c-wide product (~24 tensors of c*h*w), plus scores and probabilities
// (2 x heads*N*M) per attention. kTrainingCalibration scales the sum to measured peaks: one
// step of the shapes cpu32 preset grew the peak RSS by 22.3 MiB per image (batch 4 to 32, linear)
// where these counts give 12.1 MiB (autograd's extra saved tensors, the optimizer's temporaries);
// tests/core/test_memory_refusal.cpp checks the estimate against a measured step.
constexpr std::int64_t kTrainResnetTensors = 8;
constexpr std::int64_t kTrainTransformerTensors = 24;
constexpr double kTrainingCalibration = 1.8;
constexpr const char* kLimitVariable = "STORYSCOPE_MEMORY_LIMIT_BYTES";
}  // namespace

MemoryEstimate estimate_run_memory(const UNetConfig& unet, const std::optional<VAEConfig>& vae,
                                   std::int64_t unet_rows, std::int64_t latent_height,
                                   std::int64_t latent_width, std::int64_t element_size) {
  MemoryEstimate e;
  std::int64_t skips = 0, widest = 0;
  std::int64_t h = latent_height, w = latent_width;
  for (std::size_t level = 0; level < unet.num_levels(); ++level) {
    const std::int64_t c = unet.block_out_channels[level];
    const std::int64_t layers = unet.layers_per_block.empty() ? 2 : unet.layers_per_block[level];
    skips += (layers + 1) * c * h * w;
    widest = std::max(widest, c * h * w);
    h = (h + 1) / 2;
    w = (w + 1) / 2;
  }
  e.unet_bytes = (skips + kUNetWorkingTensors * widest) * unet_rows * element_size;
  if (vae) {
    std::int64_t vh = latent_height, vw = latent_width, worst = 0;
    // Decoder levels run from the widest channels at latent size up to the first channels at full size.
    for (std::size_t i = 0; i < vae->block_out_channels.size(); ++i) {
      const std::int64_t c = vae->block_out_channels[vae->block_out_channels.size() - 1 - i];
      worst = std::max(worst, c * vh * vw);
      if (i + 1 < vae->block_out_channels.size()) {
        vh *= 2;
        vw *= 2;
      }
    }
    e.vae_bytes = kVaeWorkingTensors * worst * element_size;
  }
  return e;
}

std::int64_t estimate_training_memory(const UNetConfig& unet, std::int64_t parameter_count,
                                      std::int64_t batch, std::int64_t height, std::int64_t width,
                                      std::int64_t context_length) {
  constexpr std::int64_t kFloat = 4;
  // Elements per image of everything kept for backward.
  std::int64_t kept = 0;
  std::int64_t h = height, w = width;
  const std::size_t levels = unet.num_levels();
  for (std::size_t level = 0; level < levels; ++level) {
    const std::int64_t c = unet.block_out_channels[level];
    const std::int64_t n = h * w;
    const std::int64_t layers = unet.layers_per_block.empty() ? 2 : unet.layers_per_block[level];
    const std::int64_t heads = unet.num_attention_heads.empty() ? 8 : unet.num_attention_heads[level];
    const std::int64_t depth =
        unet.transformer_layers_per_block.empty() ? 1 : unet.transformer_layers_per_block[level];
    // Down blocks have `layers` ResNets, up blocks one more; attention follows each in cross blocks.
    const std::int64_t down_resnets = layers, up_resnets = layers + 1;
    kept += (down_resnets + up_resnets) * kTrainResnetTensors * c * n;
    const std::int64_t transformer =
        depth * (kTrainTransformerTensors * c * n + 2 * heads * n * (n + context_length));
    if (UNetConfig::is_cross_attn_block(unet.down_block_types[level])) kept += down_resnets * transformer;
    if (UNetConfig::is_cross_attn_block(unet.up_block_types[levels - 1 - level]))
      kept += up_resnets * transformer;
    if (level + 1 == levels && unet.mid_block_type) {
      kept += 2 * kTrainResnetTensors * c * n;
      if (unet.mid_block_type->find("CrossAttn") != std::string::npos) kept += transformer;
    }
    h = (h + 1) / 2;
    w = (w + 1) / 2;
  }
  const double activations = kTrainingCalibration * static_cast<double>(kept * batch * kFloat);
  return static_cast<std::int64_t>(activations) + 5 * parameter_count * kFloat;
}

std::string format_bytes(std::int64_t bytes) {
  char buf[32];
  if (bytes >= (std::int64_t{1} << 30))
    std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(std::int64_t{1} << 30));
  else if (bytes >= (std::int64_t{1} << 20))
    std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / double(1 << 20));
  else if (bytes >= 1024)
    std::snprintf(buf, sizeof buf, "%.0f KiB", bytes / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  return buf;
}

std::int64_t memory_available_for_runs() {
  std::int64_t available = available_memory_bytes();
  if (const char* env = std::getenv(kLimitVariable); env && *env) {
    char* end = nullptr;
    const long long limit = std::strtoll(env, &end, 10);
    if (*end != '\0' || limit <= 0)
      throw_bad_input(kLimitVariable, "", std::string("must be a positive byte count, not \"") + env + "\"");
    available = available < 0 ? limit : std::min<std::int64_t>(available, limit);
  }
  return available;
}

void check_memory_available(std::int64_t needed_bytes, const std::string& what) {
  const std::int64_t available = memory_available_for_runs();
  if (available < 0) return;  // unknown: do not refuse
  // 25% margin for the allocator, LibTorch's workspaces and everything the estimate leaves out.
  if (needed_bytes + needed_bytes / 4 > available) {
    const char* env = std::getenv(kLimitVariable);
    const bool limited = env && *env && std::strtoll(env, nullptr, 10) == available;
    throw_bad_input("", what,
                    "needs about " + format_bytes(needed_bytes) + " (" + std::to_string(needed_bytes) +
                        " bytes, plus a 25% margin) of memory but only " + format_bytes(available) + " (" +
                        std::to_string(available) + " bytes) is available" +
                        (limited ? std::string(" (limited by ") + kLimitVariable + ")" : std::string()) +
                        "; use a smaller size or batch, bf16, or close other programs");
  }
}

}  // namespace storyscope
