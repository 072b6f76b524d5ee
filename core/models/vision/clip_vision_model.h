#pragma once
// transformers' CLIPVisionModelWithProjection (4.38, eager attention): the image encoder of
// IP-Adapter and of CLIP scores. State-dict keys match the checkpoints:
// vision_model.embeddings.{class_embedding, patch_embedding.weight, position_embedding.weight},
// vision_model.pre_layrnorm (transformers' spelling), vision_model.encoder.layers.i...,
// vision_model.post_layernorm, visual_projection.weight.
#include <ATen/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <map>
#include <string>
#include <vector>

#include "core/config/clip_vision_config.h"
#include "core/text/clip_text_layers.h"

namespace storyscope {

struct ClipVisionOutput {
  at::Tensor last_hidden_state;           // [B, 1 + patches, D], encoder output (no post_layernorm)
  at::Tensor penultimate_hidden_state;    // hidden_states[-2]: what IP-Adapter Plus projects
  std::vector<at::Tensor> hidden_states;  // pre_layrnorm(embeddings) + each layer, when asked for
  at::Tensor pooler_output;               // [B, D], post_layernorm(last_hidden_state[:, 0])
  at::Tensor image_embeds;                // [B, projection_dim], visual_projection(pooler_output)
};

// Class token + patch embeddings (a strided convolution without bias) + learned positions.
class ClipVisionEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit ClipVisionEmbeddingsImpl(const ClipVisionConfig& config);
  at::Tensor forward(const at::Tensor& pixel_values);  // [B, C, S, S] -> [B, 1 + patches, D]

  at::Tensor class_embedding;
  torch::nn::Conv2d patch_embedding{nullptr};
  torch::nn::Embedding position_embedding{nullptr};
};
TORCH_MODULE(ClipVisionEmbeddings);

// CLIPVisionTransformer, registered as "vision_model".
class ClipVisionTransformerImpl : public torch::nn::Module {
 public:
  explicit ClipVisionTransformerImpl(const ClipVisionConfig& config);
  // pixel_values [B, num_channels, image_size, image_size]; other sizes throw Error(BadInput).
  ClipVisionOutput forward(const at::Tensor& pixel_values, bool all_hidden_states = false);
  const ClipVisionConfig& config() const { return config_; }

  ClipVisionEmbeddings embeddings{nullptr};
  torch::nn::LayerNorm pre_layrnorm{nullptr};
  ClipEncoder encoder{nullptr};
  torch::nn::LayerNorm post_layernorm{nullptr};

 private:
  ClipVisionConfig config_;
};
TORCH_MODULE(ClipVisionTransformer);

class CLIPVisionModelWithProjectionImpl : public torch::nn::Module {
 public:
  explicit CLIPVisionModelWithProjectionImpl(const ClipVisionConfig& config);
  ClipVisionOutput forward(const at::Tensor& pixel_values, bool all_hidden_states = false);
  const ClipVisionConfig& config() const { return vision_model->config(); }

  ClipVisionTransformer vision_model{nullptr};
  torch::nn::Linear visual_projection{nullptr};
};
TORCH_MODULE(CLIPVisionModelWithProjection);

// Loads an `image_encoder/` folder (config.json + model.safetensors), given either the folder
// itself or a pipeline folder holding it. Keys older transformers stored but ignores now (the
// position_ids buffer) are dropped; anything else missing or mis-shaped is an Error(Model) that
// lists every key. The model is in eval mode, on `device` in `dtype`.
CLIPVisionModelWithProjection load_clip_vision_model(const std::string& dir,
                                                     c10::ScalarType dtype = c10::kFloat,
                                                     c10::Device device = c10::kCPU);

}  // namespace storyscope
