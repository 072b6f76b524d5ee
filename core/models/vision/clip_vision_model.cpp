#include "core/models/vision/clip_vision_model.h"

#include <ATen/ATen.h>
#include <torch/nn.h>

#include "core/common/error.h"
#include "core/models/component_files.h"
#include "core/tensor/state_dict.h"

namespace storyscope {

namespace nn = torch::nn;

ClipVisionEmbeddingsImpl::ClipVisionEmbeddingsImpl(const ClipVisionConfig& c) {
  class_embedding = register_parameter("class_embedding", at::zeros({c.hidden_size}));
  patch_embedding = register_module(
      "patch_embedding",
      nn::Conv2d(
          nn::Conv2dOptions(c.num_channels, c.hidden_size, c.patch_size).stride(c.patch_size).bias(false)));
  position_embedding = register_module("position_embedding", nn::Embedding(c.num_positions(), c.hidden_size));
}

at::Tensor ClipVisionEmbeddingsImpl::forward(const at::Tensor& pixel_values) {
  const auto b = pixel_values.size(0);
  const at::Tensor patches = patch_embedding->forward(pixel_values).flatten(2).transpose(1, 2);
  const at::Tensor cls = class_embedding.view({1, 1, -1}).expand({b, 1, class_embedding.size(0)});
  return at::cat({cls, patches}, 1) + position_embedding->weight.unsqueeze(0);
}

ClipVisionTransformerImpl::ClipVisionTransformerImpl(const ClipVisionConfig& c) : config_(c) {
  const auto norm = nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps);
  embeddings = register_module("embeddings", ClipVisionEmbeddings(c));
  pre_layrnorm = register_module("pre_layrnorm", nn::LayerNorm(norm));
  encoder = register_module("encoder", ClipEncoder(c.encoder_config()));
  post_layernorm = register_module("post_layernorm", nn::LayerNorm(norm));
}

ClipVisionOutput ClipVisionTransformerImpl::forward(const at::Tensor& pixel_values, bool all_hidden_states) {
  const auto& c = config_;
  if (pixel_values.dim() != 4 || pixel_values.size(1) != c.num_channels ||
      pixel_values.size(2) != c.image_size || pixel_values.size(3) != c.image_size)
    throw_bad_input("CLIP vision input", "pixel_values",
                    "must be [B, " + std::to_string(c.num_channels) + ", " + std::to_string(c.image_size) +
                        ", " + std::to_string(c.image_size) + "], got " +
                        shape_to_string(pixel_values.sizes().vec()));
  ClipVisionOutput out;
  const at::Tensor input = pixel_values.to(embeddings->class_embedding.options());
  at::Tensor h = pre_layrnorm->forward(embeddings->forward(input));
  if (all_hidden_states) out.hidden_states.push_back(h);
  const std::size_t layers = encoder->size();
  for (std::size_t i = 0; i < layers; ++i) {
    if (i + 1 == layers) out.penultimate_hidden_state = h;  // the last layer's input
    h = encoder->layer(i)->forward(h, at::Tensor());
    if (all_hidden_states) out.hidden_states.push_back(h);
  }
  out.last_hidden_state = h;
  out.pooler_output = post_layernorm->forward(h.select(1, 0));
  return out;
}

CLIPVisionModelWithProjectionImpl::CLIPVisionModelWithProjectionImpl(const ClipVisionConfig& c) {
  vision_model = register_module("vision_model", ClipVisionTransformer(c));
  visual_projection = register_module(
      "visual_projection", nn::Linear(nn::LinearOptions(c.hidden_size, c.projection_dim).bias(false)));
}

ClipVisionOutput CLIPVisionModelWithProjectionImpl::forward(const at::Tensor& pixel_values,
                                                            bool all_hidden_states) {
  ClipVisionOutput out = vision_model->forward(pixel_values, all_hidden_states);
  out.image_embeds = visual_projection->forward(out.pooler_output);
  return out;
}

CLIPVisionModelWithProjection load_clip_vision_model(const std::string& dir, c10::ScalarType dtype,
                                                     c10::Device device) {
  const ComponentFiles files = locate_component(dir, "image_encoder");
  CLIPVisionModelWithProjection model(ClipVisionConfig::from_file(files.config));
  TensorMap weights = load_component_weights(files);
  // A non-persistent buffer since transformers 4.31; older image encoders still carry it.
  weights.erase("vision_model.embeddings.position_ids");
  load_state_dict(*model, weights, files.folder);
  model->to(device, dtype);
  model->eval();
  return model;
}

}  // namespace storyscope
