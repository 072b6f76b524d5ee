#pragma once
// --save-intermediates: everything a run computed that another tool (diffusers, ComfyUI, a
// notebook) can also dump, under the key names of the e2e reference fixtures, so two runs can
// be diffed tensor by tensor with `storyscope-cli compare`.
#include <ATen/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/pipeline/run_observer.h"
#include "core/pipeline/txt2img.h"

namespace storyscope::cli {

class IntermediatesRecorder : public RunObserver {
 public:
  // Per step: latents_after_step/<i>; per UNet call: unet_in/<i>, unet_out/<i>, and the first
  // call's conditioning (unet_call0/...). Copied to the CPU as float32 right away, because the
  // pipeline reuses its tensors.
  void on_latents(int step, const at::Tensor& latents) override;
  void on_unet_call(const UNetCall& call) override;

  // Adds the prompt embeddings, token ids, timesteps and the image [B,H,W,3] in [0,1] (NHWC,
  // like diffusers' output_type="np"), then writes `path` with `metadata`.
  void write(const std::string& path, const Txt2ImgResult& result,
             const std::map<std::string, std::string>& metadata) const;

 private:
  std::vector<std::pair<std::string, at::Tensor>> tensors_;
};

}  // namespace storyscope::cli
