#include "app/cli/intermediates_recorder.h"

#include <ATen/ATen.h>

#include "core/tensor/safetensors.h"

namespace storyscope::cli {
namespace {

at::Tensor cpu_float(const at::Tensor& t) { return t.detach().to(at::kCPU, at::kFloat).contiguous().clone(); }

void add_if_defined(std::vector<std::pair<std::string, at::Tensor>>& out, const std::string& name,
                    const at::Tensor& t, bool as_float = true) {
  if (!t.defined()) return;
  out.emplace_back(name, as_float ? cpu_float(t) : t.detach().to(at::kCPU).contiguous().clone());
}

}  // namespace

void IntermediatesRecorder::on_latents(int step, const at::Tensor& latents) {
  tensors_.emplace_back("latents_after_step/" + std::to_string(step), cpu_float(latents));
}

void IntermediatesRecorder::on_unet_call(const UNetCall& call) {
  const std::string i = std::to_string(call.step);
  tensors_.emplace_back("unet_in/" + i, cpu_float(call.input));
  tensors_.emplace_back("unet_out/" + i, cpu_float(call.output));
  if (call.step == 0) {
    add_if_defined(tensors_, "unet_call0/encoder_hidden_states", call.encoder_hidden_states);
    add_if_defined(tensors_, "unet_call0/text_embeds", call.added.text_embeds);
    add_if_defined(tensors_, "unet_call0/time_ids", call.added.time_ids);
  }
}

void IntermediatesRecorder::write(const std::string& path, const Txt2ImgResult& result,
                                  const std::map<std::string, std::string>& metadata) const {
  std::vector<std::pair<std::string, at::Tensor>> all = tensors_;
  const PromptEmbeddings& e = result.embeddings;
  add_if_defined(all, "prompt_embeds", e.prompt_embeds);
  add_if_defined(all, "negative_prompt_embeds", e.negative_prompt_embeds);
  add_if_defined(all, "pooled_prompt_embeds", e.pooled_prompt_embeds);
  add_if_defined(all, "negative_pooled_prompt_embeds", e.negative_pooled_prompt_embeds);
  add_if_defined(all, "ids/prompt", e.ids, false);
  add_if_defined(all, "ids/negative", e.negative_ids, false);
  add_if_defined(all, "ids_2/prompt", e.ids_2, false);
  add_if_defined(all, "ids_2/negative", e.negative_ids_2, false);
  add_if_defined(all, "timesteps",
                 result.timesteps.defined() ? result.timesteps.to(at::kDouble) : at::Tensor(), false);
  if (result.images.defined()) all.emplace_back("image", cpu_float(result.images.permute({0, 2, 3, 1})));
  write_safetensors(path, all, metadata);
}

}  // namespace storyscope::cli
