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

// Throws Error(BadInput) naming the settings when `needed` exceeds what the machine has
// available (MemAvailable, with a margin); `what` describes the run for the message.
void check_memory_available(std::int64_t needed_bytes, const std::string& what);

std::string format_bytes(std::int64_t bytes);

}  // namespace storyscope
