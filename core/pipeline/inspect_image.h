#pragma once
// Looking inside the model on an existing image (DAAM-style analysis of a photo or a past
// generation): encode the image with the VAE, noise it to chosen training timesteps with a
// fixed seed, and run the UNet once per timestep with a prompt, so observers installed on the
// UNet (an AttentionStore) see how the prompt attends to that image.
//
// The noising is the training forward process q(x_t | x_0) = sqrt(a_t) x_0 + sqrt(1 - a_t) eps
// (DDPM's add_noise on the model's own beta schedule) whatever sampler the model folder names:
// that is the input the UNet was trained to denoise at timestep t, and it needs no
// scale_model_input. Every timestep uses the same noise eps (seeded_noise(seed, 1, ...)), so
// the maps of different timesteps differ only by the noise level.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/pipeline/model_bundle.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/pipeline/run_observer.h"

namespace storyscope {

struct InspectRequest {
  at::Tensor image;  // [1,3,H,W] in [-1,1]; H and W multiples of the VAE scale factor
  std::string prompt;
  std::optional<std::string> negative;  // used only when guidance > 1
  // Training timesteps (integers in [0, num_train_timesteps)), one UNet call each, in this order;
  // StepInfo::index is the position in this list.
  std::vector<double> timesteps = {400};
  std::uint64_t seed = 0;
  // <= 1: conditional batch only (the usual choice for attention maps); > 1: [uncond; cond]
  // with the noise predictions combined as in classifier-free guidance.
  double guidance = 1.0;
};

struct InspectResult {
  at::Tensor latents;                     // [1,C,h,w] float32: the clean image latents (scaled)
  at::Tensor noise;                       // [1,C,h,w] float32: the seeded noise
  std::vector<double> timesteps;          // as requested
  std::vector<at::Tensor> noisy_latents;  // per timestep [1,C,h,w] float32
  std::vector<at::Tensor> noise_preds;    // per timestep [1,C,h,w] float32 (after guidance)
  PromptEmbeddings embeddings;
  std::int64_t width = 0, height = 0;
  bool cancelled = false;
  int steps_done = 0;
};

// Throws Error(BadInput) naming the request field for a wrong image shape, an empty or invalid
// timestep list, or a bad guidance. Cancellation is checked before each UNet call.
InspectResult inspect_image(ModelBundle& bundle, const InspectRequest& request,
                            RunObserver* observer = nullptr,
                            const CancellationToken& cancel = CancellationToken());

// Image [1,3,H,W] in [-1,1] -> latents in the scheduler's units: the posterior mean, shifted
// and scaled the inverse way decode_latents undoes it. Pixel-space models return the image.
at::Tensor encode_image_latents(ModelBundle& bundle, const at::Tensor& image);

}  // namespace storyscope
