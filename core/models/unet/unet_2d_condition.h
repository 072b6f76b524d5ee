#pragma once
// diffusers' UNet2DConditionModel (SD 1.x, SD 2.x, SDXL), built from a UNetConfig. Module and
// parameter names mirror diffusers, so checkpoints' state dicts load 1:1.
//
// forward() records autograd history like any module: wrap inference in a NoGradGuard (or
// InferenceMode), or the activations of every layer stay alive.
#include <ATen/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <functional>
#include <memory>
#include <vector>

#include "core/attention/processor.h"
#include "core/config/unet_config.h"
#include "core/models/attention.h"
#include "core/models/unet/blocks.h"
#include "core/models/unet/embeddings.h"

namespace storyscope {

// SDXL's added conditioning (added_cond_kwargs); undefined tensors when the model has none.
struct UNetAddedCond {
  at::Tensor text_embeds;  // [B, D] pooled text embeddings
  at::Tensor time_ids;     // [B, 6] (orig_h, orig_w, crop_top, crop_left, target_h, target_w)
};

class UNet2DConditionModelImpl : public torch::nn::Module {
 public:
  // Parameters of the convolutions and of the linears outside the attention modules are left
  // uninitialised (weights are loaded or filled next; see uninitialized.h). Call
  // initialize_weights() to train from scratch.
  explicit UNet2DConditionModelImpl(UNetConfig config);
  // LibTorch's default (kaiming-uniform) initialisation of every Linear and Conv2d.
  void initialize_weights();

  // sample [B, in_channels, H, W]; timestep 0-d or [B] (or [1]), integer or floating;
  // encoder_hidden_states [B, M, cross_attention_dim]. Returns the noise prediction
  // [B, out_channels, H, W]. Inputs that do not fit the model throw Error(BadInput).
  at::Tensor forward(const at::Tensor& sample, const at::Tensor& timestep,
                     const at::Tensor& encoder_hidden_states, const UNetAddedCond& added = {},
                     const StepInfo& step = {});

  const UNetConfig& config() const { return config_; }

  // diffusers' set_attn_processor: `choose` is asked once per attention layer (self and cross)
  // in forward order; a nullptr answer restores the default processor.
  void set_attn_processor(const std::function<AttentionProcessorPtr(const LayerInfo&)>& choose);
  // Every attention layer in forward (call) order: down blocks, mid block, up blocks. height and
  // width are the query grid at the config's sample_size (0 when the config has none).
  std::vector<LayerInfo> attention_layers() const;
  std::vector<Attention> attention_modules() const;

  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  Timesteps time_proj{nullptr}, add_time_proj{nullptr};
  TimestepEmbedding time_embedding{nullptr}, add_embedding{nullptr};
  torch::nn::ModuleList down_blocks{nullptr}, up_blocks{nullptr};
  UNetMidBlock2DCrossAttn mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};

 private:
  at::Tensor embed_time(const at::Tensor& sample, const at::Tensor& timestep, const UNetAddedCond& added);
  void check_inputs(const at::Tensor& sample, const at::Tensor& timestep,
                    const at::Tensor& encoder_hidden_states, const UNetAddedCond& added) const;

  UNetConfig config_;
  std::vector<std::shared_ptr<DownBlockImpl>> downs_;
  std::vector<std::shared_ptr<UpBlockImpl>> ups_;
  int num_upsamplers_ = 0;
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace storyscope
