#include "core/models/vision/image_projection.h"

#include <ATen/ATen.h>
#include <torch/nn.h>

namespace storyscope {

namespace nn = torch::nn;

ImageProjectionImpl::ImageProjectionImpl(std::int64_t image_embed_dim, std::int64_t cross_attention_dim,
                                         std::int64_t num_tokens)
    : num_tokens_(num_tokens) {
  image_embeds =
      register_module("image_embeds", nn::Linear(image_embed_dim, cross_attention_dim * num_tokens));
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({cross_attention_dim})));
}

at::Tensor ImageProjectionImpl::forward(const at::Tensor& x) {
  return norm->forward(image_embeds->forward(x).reshape({x.size(0), num_tokens_, -1}));
}

ResamplerFeedForwardImpl::ResamplerFeedForwardImpl(std::int64_t dim, std::int64_t inner_dim) {
  // net.0 is diffusers' GELU module, which holds the projection as `proj`.
  auto gelu = std::make_shared<nn::Module>();
  proj_ = gelu->register_module("proj", nn::Linear(nn::LinearOptions(dim, inner_dim).bias(false)));
  out_ = nn::Linear(nn::LinearOptions(inner_dim, dim).bias(false));
  net = register_module("net", nn::ModuleList());
  net->push_back(gelu);
  net->push_back(nn::Dropout(0.0));
  net->push_back(out_);
}

at::Tensor ResamplerFeedForwardImpl::forward(const at::Tensor& x) {
  return out_->forward(at::gelu(proj_->forward(x)));
}

namespace {

struct ResamplerLayer {
  nn::LayerNorm ln0{nullptr}, ln1{nullptr}, ff_norm{nullptr};
  Attention attn{nullptr};
  ResamplerFeedForward ff{nullptr};
};

ResamplerLayer layer_parts(const nn::ModuleList& layers, std::size_t i) {
  const auto layer = layers->ptr<nn::ModuleListImpl>(i);
  const auto ff = layer->ptr<nn::ModuleListImpl>(3);
  return {nn::LayerNorm(layer->ptr<nn::LayerNormImpl>(0)), nn::LayerNorm(layer->ptr<nn::LayerNormImpl>(1)),
          nn::LayerNorm(ff->ptr<nn::LayerNormImpl>(0)), Attention(layer->ptr<AttentionImpl>(2)),
          ResamplerFeedForward(ff->ptr<ResamplerFeedForwardImpl>(1))};
}

}  // namespace

IPAdapterPlusImageProjectionImpl::IPAdapterPlusImageProjectionImpl(const ResamplerOptions& o) : options_(o) {
  latents = register_parameter("latents", at::zeros({1, o.num_queries, o.hidden_dims}));
  proj_in = register_module("proj_in", nn::Linear(o.embed_dims, o.hidden_dims));
  proj_out = register_module("proj_out", nn::Linear(o.hidden_dims, o.output_dims));
  norm_out = register_module("norm_out", nn::LayerNorm(nn::LayerNormOptions({o.output_dims})));
  layers = register_module("layers", nn::ModuleList());
  AttentionOptions attn;
  attn.query_dim = o.hidden_dims;
  attn.heads = static_cast<int>(o.heads);
  attn.dim_head = o.dim_head;
  attn.bias = false;
  attn.out_bias = false;
  for (std::int64_t i = 0; i < o.depth; ++i) {
    LayerInfo info;
    info.name = "image_projection.layers." + std::to_string(i) + ".2";
    nn::ModuleList ff;
    ff->push_back(nn::LayerNorm(nn::LayerNormOptions({o.hidden_dims})));
    ff->push_back(ResamplerFeedForward(o.hidden_dims, o.hidden_dims * o.ffn_ratio));
    nn::ModuleList layer;
    layer->push_back(nn::LayerNorm(nn::LayerNormOptions({o.hidden_dims})));
    layer->push_back(nn::LayerNorm(nn::LayerNormOptions({o.hidden_dims})));
    layer->push_back(Attention(attn, info));
    layer->push_back(ff);
    layers->push_back(layer);
  }
}

at::Tensor IPAdapterPlusImageProjectionImpl::forward(const at::Tensor& image_states) {
  at::Tensor lat = latents.repeat({image_states.size(0), 1, 1});
  const at::Tensor x = proj_in->forward(image_states);
  for (std::size_t i = 0; i < layers->size(); ++i) {
    ResamplerLayer l = layer_parts(layers, i);
    const at::Tensor residual = lat;
    const at::Tensor normed = l.ln1->forward(lat);
    const at::Tensor context = at::cat({l.ln0->forward(x), normed}, -2);
    lat = l.attn->forward(normed, context) + residual;
    lat = l.ff->forward(l.ff_norm->forward(lat)) + lat;
  }
  return norm_out->forward(proj_out->forward(lat));
}

}  // namespace storyscope
