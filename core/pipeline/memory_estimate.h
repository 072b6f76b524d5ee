#pragma once
// How much memory a run will need beyond the loaded weights, estimated before it starts so a
// run the machine cannot hold is refused with a clear message instead of the process being
// killed half-way. The model is deliberately simple (skip connections kept across the UNet,
// the widest working set of a transformer block, the VAE decoder's largest level) and
// calibrated on measured peaks; see docs/benchmarks.md.
#include <cstdint>
#include <optional>
#include <string>

#include "core/config/unet_config.h"
#include "core/config/vae_config.h"

namespace storyscope {

struct MemoryEstimate {
  std::int64_t unet_bytes = 0;  // UNet activations for one step
  std::int64_t vae_bytes = 0;   // decoder activations for one image
  std::int64_t total_bytes() const { return unet_bytes > vae_bytes ? unet_bytes : vae_bytes; }
};

// `unet_rows` is the UNet batch (images x 2 under CFG); the VAE decodes one image at a time.
MemoryEstimate estimate_run_memory(const UNetConfig& unet, const std::optional<VAEConfig>& vae,
                                   std::int64_t unet_rows, std::int64_t latent_height,
                                   std::int64_t latent_width, std::int64_t element_size);

// Training one step of `batch` images of height x width through the UNet (pixel or latent
// space, float32): weights, gradients, AdamW's two moments and the EMA copy (5 x parameters),
// plus every activation the backward pass keeps (ResNet and transformer blocks at each level,
// the attention probabilities of every attention layer). `context_length` is the text length
// the cross-attention attends to.
std::int64_t estimate_training_memory(const UNetConfig& unet, std::int64_t parameter_count,
                                      std::int64_t batch, std::int64_t height, std::int64_t width,
                                      std::int64_t context_length = 77);

// The memory a run may use: MemAvailable, or less when the environment variable
// STORYSCOPE_MEMORY_LIMIT_BYTES (a positive byte count) says so (for tests, and for users who
// share the machine). -1 when unknown. Throws Error(BadInput) for a malformed variable.
std::int64_t memory_available_for_runs();

// Throws Error(BadInput) naming the settings when `needed` exceeds what the machine has
// available (memory_available_for_runs(), with a margin); `what` names the run and its settings
// for the message (e.g. "generate --width/--height/--batch").
void check_memory_available(std::int64_t needed_bytes, const std::string& what);

std::string format_bytes(std::int64_t bytes);

}  // namespace storyscope
