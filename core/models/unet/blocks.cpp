#include "core/models/unet/blocks.h"

#include <torch/nn.h>

namespace storyscope {

namespace {
ResnetBlock2D make_resnet(const BlockOptions& o, std::int64_t in, std::int64_t out) {
  ResnetBlock2DOptions r;
  r.in_channels = in;
  r.out_channels = out;
  r.temb_channels = o.temb_channels;
  r.groups = o.resnet_groups;
  r.eps = o.resnet_eps;
  r.non_linearity = o.act_fn;
  r.time_embedding_norm = o.time_embedding_norm;
  r.output_scale_factor = o.output_scale_factor;
  return ResnetBlock2D(r);
}

Transformer2DModel make_transformer(const BlockOptions& o, const AttentionSite& site, std::size_t i,
                                    std::int64_t channels) {
  TransformerOptions t = o.transformer;
  t.in_channels = channels;
  t.head_dim = channels / t.heads;
  t.norm_num_groups = o.resnet_groups;
  AttentionSite child = site;
  child.prefix = site.prefix + ".attentions." + std::to_string(i);
  return Transformer2DModel(t, child);
}
}  // namespace

std::vector<Attention> UNetBlockImpl::attention_modules() const {
  std::vector<Attention> out;
  for (const auto& t : attentions_) {
    auto mods = t->attention_modules();
    out.insert(out.end(), mods.begin(), mods.end());
  }
  return out;
}

void UNetBlockImpl::build_layers(const BlockOptions& o, const AttentionSite& site, bool up) {
  if (o.has_attention) attentions_list_ = register_module("attentions", torch::nn::ModuleList());
  resnets_list_ = register_module("resnets", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < o.num_layers; ++i) {
    std::int64_t in = 0;
    if (up) {
      // Up blocks concatenate a skip connection: the last one comes from the level below.
      const std::int64_t res_skip = i == o.num_layers - 1 ? o.in_channels : o.out_channels;
      in = (i == 0 ? o.prev_output_channels : o.out_channels) + res_skip;
    } else {
      in = i == 0 ? o.in_channels : o.out_channels;
    }
    resnets_.push_back(make_resnet(o, in, o.out_channels));
    resnets_list_->push_back(resnets_.back());
    if (o.has_attention) {
      AttentionSite layer_site = site;
      attentions_.push_back(make_transformer(o, layer_site, static_cast<std::size_t>(i), o.out_channels));
      attentions_list_->push_back(attentions_.back());
    }
  }
}

at::Tensor UNetBlockImpl::run_layer(std::size_t i, const at::Tensor& hidden, const at::Tensor& temb,
                                    const at::Tensor& context, const StepInfo& step) {
  auto out = resnets_[i]->forward(hidden, temb);
  if (!attentions_.empty()) out = attentions_[i]->forward(out, context, step);
  return out;
}

DownBlockImpl::DownBlockImpl(const BlockOptions& o, const AttentionSite& site) {
  build_layers(o, site, /*up=*/false);
  if (o.add_sample_resize) {
    auto list = register_module("downsamplers", torch::nn::ModuleList());
    downsampler_ = Downsample2D(o.out_channels, o.out_channels, o.downsample_padding);
    list->push_back(downsampler_);
  }
}

DownBlockOutput DownBlockImpl::forward(const at::Tensor& hidden_in, const at::Tensor& temb,
                                       const at::Tensor& context, const StepInfo& step) {
  DownBlockOutput out;
  out.hidden = hidden_in;
  for (std::size_t i = 0; i < resnets_.size(); ++i) {
    out.hidden = run_layer(i, out.hidden, temb, context, step);
    out.res_samples.push_back(out.hidden);
  }
  if (downsampler_) {
    out.hidden = downsampler_->forward(out.hidden);
    out.res_samples.push_back(out.hidden);
  }
  return out;
}

UpBlockImpl::UpBlockImpl(const BlockOptions& o, const AttentionSite& site) {
  build_layers(o, site, /*up=*/true);
  if (o.add_sample_resize) {
    auto list = register_module("upsamplers", torch::nn::ModuleList());
    upsampler_ = Upsample2D(o.out_channels, o.out_channels);
    list->push_back(upsampler_);
  }
}

at::Tensor UpBlockImpl::forward(const at::Tensor& hidden_in, const std::vector<at::Tensor>& res_samples,
                                const at::Tensor& temb, const at::Tensor& context, const StepInfo& step,
                                const std::vector<std::int64_t>& upsample_size) {
  auto hidden = hidden_in;
  std::size_t next = res_samples.size();
  for (std::size_t i = 0; i < resnets_.size(); ++i) {
    hidden = at::cat({hidden, res_samples.at(--next)}, 1);
    hidden = run_layer(i, hidden, temb, context, step);
  }
  if (upsampler_) hidden = upsampler_->forward(hidden, upsample_size);
  return hidden;
}

UNetMidBlock2DCrossAttnImpl::UNetMidBlock2DCrossAttnImpl(const BlockOptions& o, const AttentionSite& site) {
  attentions_list_ = register_module("attentions", torch::nn::ModuleList());
  resnets_list_ = register_module("resnets", torch::nn::ModuleList());
  resnets_.push_back(make_resnet(o, o.in_channels, o.in_channels));
  resnets_list_->push_back(resnets_.back());
  for (std::int64_t i = 0; i < o.num_layers; ++i) {
    attentions_.push_back(make_transformer(o, site, static_cast<std::size_t>(i), o.in_channels));
    attentions_list_->push_back(attentions_.back());
    resnets_.push_back(make_resnet(o, o.in_channels, o.in_channels));
    resnets_list_->push_back(resnets_.back());
  }
}

at::Tensor UNetMidBlock2DCrossAttnImpl::forward(const at::Tensor& hidden_in, const at::Tensor& temb,
                                                const at::Tensor& context, const StepInfo& step) {
  auto hidden = resnets_[0]->forward(hidden_in, temb);
  for (std::size_t i = 0; i < attentions_.size(); ++i) {
    hidden = attentions_[i]->forward(hidden, context, step);
    hidden = resnets_[i + 1]->forward(hidden, temb);
  }
  return hidden;
}

}  // namespace storyscope
