#pragma once
// What a running pipeline tells the outside world (progress, per-step previews and latents) and
// how it is asked to stop. Callbacks run on the pipeline's thread, between steps: keep them
// short, or copy what they need and hand it elsewhere (the GUI's worker posts signals).
#include <ATen/Tensor.h>

#include <atomic>
#include <memory>

#include "core/models/unet/unet_2d_condition.h"

namespace storyscope {

struct RunProgress {
  int frame = 0;                  // 0-based frame (story runs); 0 for txt2img
  int frames = 1;                 // number of frames in the run
  int step = 0;                   // steps finished in this frame (1..total after each step)
  int total = 0;                  // steps per frame
  double steps_per_second = 0.0;  // over the frame so far
  double elapsed_seconds = 0.0;   // since this frame's first step began
};

// One UNet evaluation, for parity tests and debugging tools. Tensors are the ones the
// pipeline used (no copies): clone what you keep past the callback if you intend to modify it.
struct UNetCall {
  int step = 0;
  double timestep = 0.0;
  const at::Tensor& input;                  // scale_model_input(cat([latents] * 2 under CFG))
  const at::Tensor& encoder_hidden_states;  // [uncond; cond] under CFG
  const UNetAddedCond& added;               // SDXL text_embeds / time_ids (undefined otherwise)
  const at::Tensor& output;                 // raw noise prediction, before CFG
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_progress(const RunProgress&) {}
  // Only called when wants_preview(): the scheduler's predicted x0, decoded, [B,3,H,W] in [0,1].
  virtual bool wants_preview() const { return false; }
  virtual void on_step_preview(int step, const at::Tensor& predicted_x0_image) {}
  // The latents after step `step` (0-based), float32 on the run's device. Cheap: no decode.
  virtual void on_latents(int step, const at::Tensor& latents) {}
  // Every UNet call, with its inputs and raw output.
  virtual void on_unet_call(const UNetCall& call) {}
};

// Shared by whoever may cancel and the run that checks it. Copies share the same flag. A
// default-constructed token is live (never cancelled unless cancel() is called on it or a copy).
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_->load(std::memory_order_relaxed); }
  void reset() const { flag_->store(false, std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace storyscope
