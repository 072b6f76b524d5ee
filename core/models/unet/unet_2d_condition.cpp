#include "core/models/unet/unet_2d_condition.h"

#include <torch/nn.h>

#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/models/unet/activations.h"
#include "core/models/uninitialized.h"

namespace storyscope {

namespace {

const char* kModel = "UNet2DConditionModel";

[[noreturn]] void bad_input(const std::string& input, const std::string& rule) {
  throw_bad_input(kModel, "input \"" + input + "\"", rule);
}

std::string shape_of(const at::Tensor& t) {
  std::ostringstream ss;
  ss << t.sizes();
  return ss.str();
}

std::int64_t nominal_size(const UNetConfig& c, std::size_t level) {
  return c.sample_size ? std::max<std::int64_t>(1, *c.sample_size >> level) : 0;
}

BlockOptions block_options(const UNetConfig& c, std::size_t level) {
  BlockOptions o;
  o.temb_channels = c.time_embed_dim();
  o.resnet_eps = c.norm_eps;
  o.resnet_groups = c.norm_num_groups;
  o.act_fn = c.act_fn;
  o.time_embedding_norm = c.resnet_time_scale_shift;
  o.downsample_padding = c.downsample_padding;
  o.transformer.heads = static_cast<int>(c.num_attention_heads[level]);
  o.transformer.num_layers = c.transformer_layers_per_block[level];
  o.transformer.cross_attention_dim = c.cross_attention_dim[level];
  o.transformer.use_linear_projection = c.use_linear_projection;
  o.transformer.only_cross_attention = c.only_cross_attention[level];
  return o;
}

}  // namespace

UNet2DConditionModelImpl::UNet2DConditionModelImpl(UNetConfig config) : config_(std::move(config)) {
  config_.validate();
  const auto& c = config_;
  const std::size_t n = c.num_levels();
  const std::int64_t ch0 = c.block_out_channels[0];
  const std::int64_t temb = c.time_embed_dim();

  conv_in = register_module(
      "conv_in", uninitialized_conv2d(torch::nn::Conv2dOptions(c.in_channels, ch0, c.conv_in_kernel)
                                          .padding((c.conv_in_kernel - 1) / 2)));
  time_proj = register_module("time_proj", Timesteps(ch0, c.flip_sin_to_cos, c.freq_shift));
  time_embedding = register_module("time_embedding", TimestepEmbedding(ch0, temb, c.act_fn));
  if (c.has_text_time()) {
    add_time_proj = register_module("add_time_proj",
                                    Timesteps(*c.addition_time_embed_dim, c.flip_sin_to_cos, c.freq_shift));
    add_embedding = register_module(
        "add_embedding", TimestepEmbedding(*c.projection_class_embeddings_input_dim, temb, c.act_fn));
  }

  down_blocks = register_module("down_blocks", torch::nn::ModuleList());
  std::int64_t output_channel = ch0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t input_channel = output_channel;
    output_channel = c.block_out_channels[i];
    BlockOptions o = block_options(c, i);
    o.num_layers = c.layers_per_block[i];
    o.in_channels = input_channel;
    o.out_channels = output_channel;
    o.add_sample_resize = i + 1 < n;
    o.has_attention = UNetConfig::is_cross_attn_block(c.down_block_types[i]);
    const AttentionSite site{"down_blocks." + std::to_string(i), Place::Down, static_cast<int>(i),
                             nominal_size(c, i), nominal_size(c, i)};
    std::shared_ptr<DownBlockImpl> block;
    if (o.has_attention)
      block = std::make_shared<CrossAttnDownBlock2DImpl>(o, site);
    else
      block = std::make_shared<DownBlock2DImpl>(o, site);
    downs_.push_back(block);
    down_blocks->push_back(block);
  }

  if (c.mid_block_type) {
    BlockOptions o = block_options(c, n - 1);
    o.num_layers = 1;
    o.in_channels = c.block_out_channels[n - 1];
    o.out_channels = o.in_channels;
    o.output_scale_factor = c.mid_block_scale_factor;
    o.has_attention = true;
    o.transformer.only_cross_attention = false;  // diffusers does not pass it to this block
    const AttentionSite site{"mid_block", Place::Mid, 0, nominal_size(c, n - 1), nominal_size(c, n - 1)};
    mid_block = register_module("mid_block", UNetMidBlock2DCrossAttn(o, site));
  }

  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  output_channel = c.block_out_channels[n - 1];
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t level = n - 1 - i;  // up block i mirrors down block n-1-i
    const std::int64_t prev_output_channel = output_channel;
    output_channel = c.block_out_channels[level];
    const std::int64_t input_channel = c.block_out_channels[level == 0 ? 0 : level - 1];
    BlockOptions o = block_options(c, level);
    o.num_layers = c.layers_per_block[level] + 1;
    o.in_channels = input_channel;
    o.out_channels = output_channel;
    o.prev_output_channels = prev_output_channel;
    o.add_sample_resize = i + 1 < n;
    if (o.add_sample_resize) ++num_upsamplers_;
    o.has_attention = UNetConfig::is_cross_attn_block(c.up_block_types[i]);
    const AttentionSite site{"up_blocks." + std::to_string(i), Place::Up, static_cast<int>(i),
                             nominal_size(c, level), nominal_size(c, level)};
    std::shared_ptr<UpBlockImpl> block;
    if (o.has_attention)
      block = std::make_shared<CrossAttnUpBlock2DImpl>(o, site);
    else
      block = std::make_shared<UpBlock2DImpl>(o, site);
    ups_.push_back(block);
    up_blocks->push_back(block);
  }

  conv_norm_out = register_module(
      "conv_norm_out",
      torch::nn::GroupNorm(torch::nn::GroupNormOptions(c.norm_num_groups, ch0).eps(c.norm_eps)));
  conv_out = register_module(
      "conv_out", uninitialized_conv2d(torch::nn::Conv2dOptions(ch0, c.out_channels, c.conv_out_kernel)
                                           .padding((c.conv_out_kernel - 1) / 2)));
}

void UNet2DConditionModelImpl::initialize_weights() { reset_linear_and_conv_parameters(*this); }

std::vector<Attention> UNet2DConditionModelImpl::attention_modules() const {
  std::vector<Attention> out;
  auto append = [&](const std::vector<Attention>& mods) { out.insert(out.end(), mods.begin(), mods.end()); };
  for (const auto& b : downs_) append(b->attention_modules());
  if (mid_block) append(mid_block->attention_modules());
  for (const auto& b : ups_) append(b->attention_modules());
  return out;
}

std::vector<LayerInfo> UNet2DConditionModelImpl::attention_layers() const {
  std::vector<LayerInfo> out;
  for (const auto& a : attention_modules()) out.push_back(a->layer_info());
  return out;
}

void UNet2DConditionModelImpl::set_attn_processor(
    const std::function<AttentionProcessorPtr(const LayerInfo&)>& choose) {
  for (auto& a : attention_modules()) a->set_processor(choose ? choose(a->layer_info()) : nullptr);
}

void UNet2DConditionModelImpl::check_inputs(const at::Tensor& sample, const at::Tensor& timestep,
                                            const at::Tensor& ehs, const UNetAddedCond& added) const {
  const auto& c = config_;
  const auto& weight = conv_in->weight;
  if (!sample.defined()) bad_input("sample", "is missing");
  if (sample.dim() != 4 || sample.size(1) != c.in_channels || sample.size(2) == 0 || sample.size(3) == 0 ||
      sample.size(0) == 0)
    bad_input("sample",
              "expected shape [B, " + std::to_string(c.in_channels) + ", H, W], found " + shape_of(sample));
  if (sample.scalar_type() != weight.scalar_type() || sample.device() != weight.device())
    bad_input("sample", std::string("dtype/device ") + c10::toString(sample.scalar_type()) + " on " +
                            sample.device().str() + " does not match the model's " +
                            c10::toString(weight.scalar_type()) + " on " + weight.device().str());
  const std::int64_t b = sample.size(0);
  if (!timestep.defined()) bad_input("timestep", "is missing");
  if (timestep.dim() > 1 || (timestep.numel() != 1 && timestep.numel() != b))
    bad_input("timestep", "expected a 0-d tensor or one value per batch row (" + std::to_string(b) +
                              "), found " + shape_of(timestep));
  if (timestep.is_complex() || timestep.scalar_type() == at::kBool)
    bad_input("timestep", "must be a real number");

  std::set<std::int64_t> cross_dims;
  for (const auto& a : attention_modules())
    if (a->layer_info().is_cross) cross_dims.insert(a->to_k->weight.size(1));
  if (!cross_dims.empty()) {
    if (!ehs.defined()) bad_input("encoder_hidden_states", "is missing (the model has cross-attention)");
    if (ehs.dim() != 3 || ehs.size(0) != b || ehs.size(1) == 0)
      bad_input("encoder_hidden_states",
                "expected shape [" + std::to_string(b) + ", M, D] (batch of sample), found " + shape_of(ehs));
    for (const auto d : cross_dims)
      if (ehs.size(2) != d)
        bad_input("encoder_hidden_states", "last dimension is " + std::to_string(ehs.size(2)) +
                                               " but the model's cross_attention_dim is " +
                                               std::to_string(d));
    if (ehs.scalar_type() != weight.scalar_type() || ehs.device() != weight.device())
      bad_input("encoder_hidden_states", "dtype/device does not match the model's");
  }

  if (c.has_text_time()) {
    if (!added.text_embeds.defined())
      bad_input("text_embeds", "is required by addition_embed_type \"text_time\" (SDXL added conditioning)");
    if (!added.time_ids.defined())
      bad_input("time_ids", "is required by addition_embed_type \"text_time\" (SDXL added conditioning)");
    const auto& te = added.text_embeds;
    const auto& ti = added.time_ids;
    if (te.dim() != 2 || te.size(0) != b)
      bad_input("text_embeds", "expected shape [" + std::to_string(b) + ", D], found " + shape_of(te));
    if (ti.dim() != 2 || ti.size(0) != b)
      bad_input("time_ids", "expected shape [" + std::to_string(b) + ", K], found " + shape_of(ti));
    const std::int64_t total = te.size(1) + ti.size(1) * *c.addition_time_embed_dim;
    if (total != *c.projection_class_embeddings_input_dim)
      bad_input("text_embeds", "text_embeds width " + std::to_string(te.size(1)) + " + " +
                                   std::to_string(ti.size(1)) + " time ids x " +
                                   std::to_string(*c.addition_time_embed_dim) + " = " +
                                   std::to_string(total) + ", but projection_class_embeddings_input_dim is " +
                                   std::to_string(*c.projection_class_embeddings_input_dim));
    if (te.device() != weight.device() || ti.device() != weight.device())
      bad_input("text_embeds", "text_embeds and time_ids must be on the model's device");
  }
}

at::Tensor UNet2DConditionModelImpl::embed_time(const at::Tensor& sample, const at::Tensor& timestep,
                                                const UNetAddedCond& added) {
  auto timesteps = timestep.reshape({-1}).to(sample.device()).expand({sample.size(0)});
  auto t_emb = time_proj->forward(timesteps).to(sample.scalar_type());
  auto emb = time_embedding->forward(t_emb);
  if (config_.has_text_time()) {
    const auto& text_embeds = added.text_embeds;
    auto time_embeds = add_time_proj->forward(added.time_ids.flatten()).reshape({text_embeds.size(0), -1});
    auto add_embeds =
        at::cat({text_embeds, time_embeds.to(text_embeds.scalar_type())}, -1).to(emb.scalar_type());
    emb = emb + add_embedding->forward(add_embeds);
  }
  return emb;
}

at::Tensor UNet2DConditionModelImpl::forward(const at::Tensor& sample_in, const at::Tensor& timestep,
                                             const at::Tensor& ehs, const UNetAddedCond& added,
                                             const StepInfo& step) {
  check_inputs(sample_in, timestep, ehs, added);
  // Inputs not divisible by the overall downsampling factor need explicit upsample sizes so the
  // skip connections line up (diffusers' forward_upsample_size).
  const std::int64_t factor = std::int64_t{1} << num_upsamplers_;
  const bool forward_upsample_size = sample_in.size(2) % factor != 0 || sample_in.size(3) % factor != 0;

  auto sample = sample_in;
  if (config_.center_input_sample) sample = 2 * sample - 1.0;
  const auto emb = embed_time(sample, timestep, added);

  sample = conv_in->forward(sample);
  std::vector<at::Tensor> res_samples{sample};
  for (auto& block : downs_) {
    auto out = block->forward(sample, emb, ehs, step);
    sample = out.hidden;
    res_samples.insert(res_samples.end(), out.res_samples.begin(), out.res_samples.end());
  }
  if (mid_block) sample = mid_block->forward(sample, emb, ehs, step);

  for (std::size_t i = 0; i < ups_.size(); ++i) {
    auto& block = ups_[i];
    const std::size_t take = block->num_resnets();
    std::vector<at::Tensor> skips(res_samples.end() - static_cast<std::ptrdiff_t>(take), res_samples.end());
    res_samples.resize(res_samples.size() - take);
    std::vector<std::int64_t> upsample_size;
    if (i + 1 < ups_.size() && forward_upsample_size)
      upsample_size = res_samples.back().sizes().slice(2).vec();
    sample = block->forward(sample, skips, emb, ehs, step, upsample_size);
  }

  sample = apply_activation(config_.act_fn, conv_norm_out->forward(sample));
  return conv_out->forward(sample);
}

}  // namespace storyscope
