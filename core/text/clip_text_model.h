#pragma once
// transformers' CLIPTextModel and CLIPTextModelWithProjection (4.38, eager attention): the text
// encoders of SD 1.x (OpenAI ViT-L), SD 2.x (OpenCLIP ViT-H) and SDXL (both, bigG projected).
// State-dict keys match the checkpoints: text_model.embeddings..., text_model.encoder.layers.i...,
// text_model.final_layer_norm..., text_projection.weight.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <map>
#include <string>
#include <vector>

#include "core/config/clip_text_config.h"
#include "core/text/clip_text_layers.h"

namespace storyscope {

// What a forward call keeps besides the final outputs. Only the requested states stay alive.
struct ClipTextForward {
  // Keep embeddings + every layer's output (transformers' output_hidden_states).
  bool all_hidden_states = false;
  // Also keep hidden_states[-(1 + clip_skip)] (before the final layer norm) as
  // skipped_hidden_state; 0 keeps nothing extra. diffusers' clip_skip k means: SD 1.x/2.x take
  // final_layer_norm(hidden_states[-(k + 1)]) -> clip_skip = k here; SDXL takes
  // hidden_states[-(k + 2)] -> clip_skip = k + 1 here.
  int clip_skip = 0;
};

struct ClipTextOutput {
  at::Tensor last_hidden_state;           // [B, N, D], after final_layer_norm
  std::vector<at::Tensor> hidden_states;  // embeddings + each layer (only if all_hidden_states)
  at::Tensor penultimate_hidden_state;    // hidden_states[-2], no final LN (what SDXL uses)
  at::Tensor skipped_hidden_state;        // hidden_states[-(1 + clip_skip)] when clip_skip > 0
  at::Tensor pooler_output;               // [B, D], last_hidden_state at each row's EOS position
  at::Tensor text_embeds;                 // [B, projection_dim], projection variant only
};

// CLIPTextTransformer: registered as "text_model" by both public modules.
class ClipTextTransformerImpl : public torch::nn::Module {
 public:
  explicit ClipTextTransformerImpl(const ClipTextConfig& config);
  // input_ids: [B, N] integer, N <= max_position_embeddings, ids < vocab_size; no attention
  // mask (as diffusers calls it): padding tokens are attended to under the causal mask only.
  ClipTextOutput forward(const at::Tensor& input_ids, const ClipTextForward& options = {});
  // Position per row whose state is pooled (transformers' rule for this config's eos_token_id).
  std::vector<std::int64_t> pooling_positions(const at::Tensor& input_ids) const;
  const ClipTextConfig& config() const { return config_; }

  ClipTextEmbeddings embeddings{nullptr};
  ClipEncoder encoder{nullptr};
  torch::nn::LayerNorm final_layer_norm{nullptr};

 private:
  ClipTextConfig config_;
};
TORCH_MODULE(ClipTextTransformer);

class CLIPTextModelImpl : public torch::nn::Module {
 public:
  explicit CLIPTextModelImpl(const ClipTextConfig& config);
  ClipTextOutput forward(const at::Tensor& input_ids, const ClipTextForward& options = {});
  const ClipTextConfig& config() const { return text_model->config(); }

  ClipTextTransformer text_model{nullptr};
};
TORCH_MODULE(CLIPTextModel);

class CLIPTextModelWithProjectionImpl : public torch::nn::Module {
 public:
  explicit CLIPTextModelWithProjectionImpl(const ClipTextConfig& config);
  // As CLIPTextModel, plus text_embeds = text_projection(pooler_output).
  ClipTextOutput forward(const at::Tensor& input_ids, const ClipTextForward& options = {});
  const ClipTextConfig& config() const { return text_model->config(); }

  ClipTextTransformer text_model{nullptr};
  torch::nn::Linear text_projection{nullptr};
};
TORCH_MODULE(CLIPTextModelWithProjection);

// Removes keys that older checkpoints store but transformers >= 4.31 ignores on load (the
// non-persistent text_model.embeddings.position_ids buffer). Returns how many were dropped.
std::size_t drop_ignored_clip_text_keys(std::map<std::string, at::Tensor>& weights);

}  // namespace storyscope
