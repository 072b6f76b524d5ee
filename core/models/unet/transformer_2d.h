#pragma once
// diffusers' Transformer2DModel (continuous input) with its BasicTransformerBlock and GEGLU
// FeedForward (models/transformers/transformer_2d.py, models/attention.py).
#include <ATen/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <optional>
#include <string>
#include <vector>

#include "core/models/attention.h"

namespace storyscope {

// ff.net.0 = GEGLU (proj to 2*inner, value * gelu(gate)), ff.net.1 = Dropout, ff.net.2 = Linear.
class GEGLUImpl : public torch::nn::Module {
 public:
  GEGLUImpl(std::int64_t dim_in, std::int64_t dim_out);
  at::Tensor forward(const at::Tensor& hidden);
  torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(GEGLU);

class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(std::int64_t dim, std::int64_t mult = 4);
  at::Tensor forward(const at::Tensor& hidden);
  torch::nn::ModuleList net{nullptr};

 private:
  GEGLU geglu_{nullptr};
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(FeedForward);

// Where an attention layer sits; the transformer modules append their own path segments.
struct AttentionSite {
  std::string prefix;  // module path of the owning module, e.g. "down_blocks.1.attentions.0"
  Place place = Place::Other;
  int block_index = -1;
  std::int64_t nominal_height = 0, nominal_width = 0;  // query grid at the config's sample_size
};

struct TransformerOptions {
  int heads = 8;
  std::int64_t head_dim = 64;
  std::int64_t in_channels = 0;
  std::int64_t num_layers = 1;
  std::int64_t cross_attention_dim = 768;
  std::int64_t norm_num_groups = 32;
  bool use_linear_projection = false;
  bool only_cross_attention = false;
};

class BasicTransformerBlockImpl : public torch::nn::Module {
 public:
  BasicTransformerBlockImpl(const TransformerOptions& options, const AttentionSite& site);
  // hidden [B, N, C]; height*width = N gives the query grid to the processors.
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& context, const StepInfo& step,
                     std::int64_t height, std::int64_t width);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Attention attn1{nullptr}, attn2{nullptr};
  FeedForward ff{nullptr};

 private:
  bool only_cross_attention_;
};
TORCH_MODULE(BasicTransformerBlock);

class Transformer2DModelImpl : public torch::nn::Module {
 public:
  Transformer2DModelImpl(const TransformerOptions& options, const AttentionSite& site);
  // hidden [B, C, H, W] -> [B, C, H, W] (residual included).
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& context, const StepInfo& step);

  torch::nn::GroupNorm norm{nullptr};
  torch::nn::Conv2d proj_in_conv{nullptr}, proj_out_conv{nullptr};  // registered as proj_in/proj_out
  torch::nn::Linear proj_in_linear{nullptr}, proj_out_linear{nullptr};
  torch::nn::ModuleList transformer_blocks{nullptr};

  // The attention modules in call order (attn1, attn2 of each transformer block).
  std::vector<Attention> attention_modules() const;

 private:
  TransformerOptions options_;
  std::vector<BasicTransformerBlock> blocks_;
};
TORCH_MODULE(Transformer2DModel);

}  // namespace storyscope
