#include "core/pipeline/memory_estimate.h"

#include <algorithm>
#include <cstdio>

#include "core/common/error.h"
#include "core/common/memory.h"

namespace storyscope {

namespace {
// Calibration: SD 1.5 at 64x64 latents, batch 2, fp32 measured ~0.30 GB of activations above
// the weights with the blocked attention kernel; 24 widest-level tensors reproduce it.
constexpr std::int64_t kUNetWorkingTensors = 24;
// A decoder resnet at the output resolution keeps input, two convolutions and a norm alive.
constexpr std::int64_t kVaeWorkingTensors = 6;
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

std::string format_bytes(std::int64_t bytes) {
  char buf[32];
  if (bytes >= (std::int64_t{1} << 30))
    std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(std::int64_t{1} << 30));
  else
    std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / double(1 << 20));
  return buf;
}

void check_memory_available(std::int64_t needed_bytes, const std::string& what) {
  const std::int64_t available = available_memory_bytes();
  if (available < 0) return;  // unknown: do not refuse
  // 25% margin for the allocator, LibTorch's workspaces and everything the estimate leaves out.
  if (needed_bytes + needed_bytes / 4 > available)
    throw_bad_input("", what,
                    "needs about " + format_bytes(needed_bytes) + " of memory but only " +
                        format_bytes(available) +
                        " is available; use a smaller size or batch, bf16, or close other programs");
}

}  // namespace storyscope
