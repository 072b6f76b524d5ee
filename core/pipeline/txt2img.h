#pragma once
// Text to image, step for step as diffusers 0.27's StableDiffusionPipeline and
// StableDiffusionXLPipeline (no guidance rescale, no clip skip, original = target size, crop 0).
//
// Seeds. The initial noise comes from LibTorch's CPU generator (mt19937,
// at::make_generator<at::CPUGeneratorImpl>(seed)) through at::randn, drawn in float32 on the
// CPU and then moved to the run's device and dtype, so a seed gives the same noise on every
// device. A batch of N draws N tensors [1,C,h,w] one after another from that one generator, so
// image 0 of a batch starts from the batch-1 image's noise (its pixels agree to rounding:
// batched kernels may sum in another order). Stochastic scheduler steps (DDPM,
// DDIM with eta > 0) draw their noise from the same generator afterwards, also on the CPU.
// Same seed + settings + device (+ LibTorch version) = same pixels.
//
// Precision. Latents and scheduler arithmetic stay float32 whatever the model dtype; only the
// UNet input is cast to the model dtype and its output back (diffusers keeps fp16 latents; with
// float32 models the two are identical).
#include <ATen/Tensor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/pipeline/ip_adapter_run.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/pipeline/run_observer.h"

namespace storyscope {

struct Txt2ImgRequest {
  std::string prompt;
  // Absent and "" differ: with an SDXL model that forces zeros, absent gives zero negative
  // embeddings while "" is encoded. SD 1.x/2.x encode "" for both.
  std::optional<std::string> negative;
  int steps = 30;
  double guidance = 7.5;  // <= 1: no classifier-free guidance (a single conditional batch)
  // Empty: the model folder's scheduler; else ddim | ddpm | euler | dpmpp-2m (or a diffusers
  // class name), built from the folder's scheduler config like `X.from_config(...)`.
  std::string sampler;
  std::uint64_t seed = 0;
  // 0 = unet sample_size * vae scale factor. Must be multiples of 8 (and of the VAE factor).
  std::int64_t width = 0, height = 0;
  int batch = 1;
  // Optional start noise [batch, C, h, w], unscaled: like diffusers' `latents=`, it is
  // multiplied by the scheduler's init_noise_sigma here. Replaces the seeded draw.
  at::Tensor init_latents;
  double eta = 0.0;  // DDIM only
  // Ready-made conditioning (stories: consolidated prompts after SVR) used instead of encoding
  // `prompt`/`negative`. Each tensor has 1 row (shared by the whole batch) or `batch` rows (one
  // per image); negative tensors are needed exactly when guidance > 1.
  std::optional<PromptEmbeddings> embeddings;
  // Optional image prompt (IP-Adapter): its modifier joins the UNet's processors for this run.
  std::optional<IPAdapterInput> ip_adapter;
};

struct Txt2ImgResult {
  at::Tensor images;        // [B,3,H,W] float32 on the CPU, in [0,1]; undefined when cancelled
  at::Tensor latents;       // float32, last latents reached (the ones decoded when finished)
  at::Tensor predicted_x0;  // float32 latents: the scheduler's x0 prediction of the last step done
  PromptEmbeddings embeddings;
  at::Tensor timesteps;   // float64 [steps], the schedule the run used
  std::string scheduler;  // diffusers class name
  std::int64_t width = 0, height = 0;
  bool cancelled = false;
  int steps_done = 0;
};

class Txt2Img {
 public:
  explicit Txt2Img(std::shared_ptr<ModelBundle> bundle);
  // Throws Error(BadInput) naming the request field for invalid settings. A cancelled run stops
  // after the step in progress and returns the latents it reached, without decoding them.
  Txt2ImgResult run(const Txt2ImgRequest& request, RunObserver* observer = nullptr,
                    const CancellationToken& cancel = CancellationToken()) const;
  // Checks a request against the model without running it (same errors as run()).
  void validate(const Txt2ImgRequest& request) const;
  ModelBundle& bundle() const { return *bundle_; }

 private:
  std::shared_ptr<ModelBundle> bundle_;
};

// Latents (float32, the scheduler's units) -> images [B,3,H,W] float32 on the CPU in [0,1]:
// undo scaling_factor / shift_factor / latents_mean+std, decode, then (x/2 + 0.5).clamp(0, 1).
// Pixel-space models skip the VAE.
at::Tensor decode_latents(ModelBundle& bundle, const at::Tensor& latents);

// The seeded initial noise described at the top of this file: float32 [batch, C, h, w] on the CPU.
at::Tensor seeded_noise(std::uint64_t seed, int batch, std::int64_t channels, std::int64_t height,
                        std::int64_t width);

}  // namespace storyscope
