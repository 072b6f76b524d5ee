#include "core/models/vision/ip_adapter.h"

#include <ATen/ATen.h>
#include <torch/nn.h>

#include <regex>
#include <set>

#include "core/common/error.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"

namespace storyscope {
namespace {

constexpr const char* kProj = "image_proj.";
constexpr const char* kLayers = "ip_adapter.";

const at::Tensor& need(const TensorMap& w, const std::string& key, const std::string& source) {
  const auto it = w.find(key);
  if (it == w.end()) throw_model_error(source, key, "missing (needed by this IP-Adapter layout)");
  return it->second;
}

// The Resampler's original keys -> diffusers' IPAdapterPlusImageProjection keys
// (layers.i.0.{norm1,norm2,to_q,to_kv,to_out} -> layers.i.{0,1,2.to_q,2.to_k/2.to_v,2.to_out.0},
// layers.i.1.{0,1,3} -> layers.i.3.{0,1.net.0.proj,1.net.2}).
TensorMap convert_resampler(const TensorMap& proj, const std::string& source) {
  static const std::regex layer_key(R"(layers\.(\d+)\.([01])\.(.+))");
  TensorMap out;
  for (const auto& [key, value] : proj) {
    std::smatch m;
    if (!std::regex_match(key, m, layer_key)) {
      out[key] = value;  // latents, proj_in, proj_out, norm_out
      continue;
    }
    const std::string prefix = "layers." + m[1].str() + ".", rest = m[3].str();
    const auto starts = [&](const char* p) { return rest.rfind(p, 0) == 0; };
    if (m[2] == "0") {
      if (starts("norm1."))
        out[prefix + "0." + rest.substr(6)] = value;
      else if (starts("norm2."))
        out[prefix + "1." + rest.substr(6)] = value;
      else if (rest == "to_q.weight")
        out[prefix + "2.to_q.weight"] = value;
      else if (rest == "to_out.weight")
        out[prefix + "2.to_out.0.weight"] = value;
      else if (rest == "to_kv.weight") {
        const auto halves = value.chunk(2, 0);
        out[prefix + "2.to_k.weight"] = halves[0];
        out[prefix + "2.to_v.weight"] = halves[1];
      } else {
        throw_model_error(source, std::string(kProj) + key, "not a Resampler attention key");
      }
    } else {
      if (starts("0."))
        out[prefix + "3." + rest] = value;
      else if (rest == "1.weight")
        out[prefix + "3.1.net.0.proj.weight"] = value;
      else if (rest == "3.weight")
        out[prefix + "3.1.net.2.weight"] = value;
      else
        throw_model_error(source, std::string(kProj) + key, "not a Resampler feed-forward key");
    }
  }
  return out;
}

ResamplerOptions resampler_options(const TensorMap& w, const std::string& source) {
  ResamplerOptions o;
  const at::Tensor& latents = need(w, "latents", source);
  if (latents.dim() != 3 || latents.size(0) != 1)
    throw_model_error(source, "image_proj.latents",
                      "expected [1, tokens, hidden], found " + shape_to_string(latents.sizes().vec()));
  o.num_queries = latents.size(1);
  o.hidden_dims = latents.size(2);
  o.embed_dims = need(w, "proj_in.weight", source).size(1);
  o.output_dims = need(w, "proj_out.weight", source).size(0);
  // diffusers fixes dim_head at 64 and reads the heads from to_q; depth and the feed-forward
  // ratio are read here too (diffusers fixes them at 4, what every released adapter uses).
  const at::Tensor& to_q = need(w, "layers.0.2.to_q.weight", source);
  o.heads = std::max<std::int64_t>(1, to_q.size(0) / o.dim_head);
  o.depth = 0;
  while (w.count("layers." + std::to_string(o.depth) + ".2.to_q.weight")) ++o.depth;
  o.ffn_ratio = need(w, "layers.0.3.1.net.0.proj.weight", source).size(0) / o.hidden_dims;
  return o;
}

// Cross-attention layers in diffusers' attn_processors order: down, up, mid.
std::vector<Attention> cross_layers_in_processor_order(const UNet2DConditionModelImpl& unet) {
  std::vector<Attention> out;
  const auto all = unet.attention_modules();
  for (const Place place : {Place::Down, Place::Up, Place::Mid, Place::Other})
    for (const auto& a : all)
      if (a->layer_info().place == place && a->layer_info().is_cross) out.push_back(a);
  return out;
}

}  // namespace

std::int64_t IPAdapter::num_tokens() const { return plus_ ? plus_->num_tokens() : basic_->num_tokens(); }

std::shared_ptr<IPAdapter> IPAdapter::load(const std::string& path, const UNet2DConditionModelImpl& unet) {
  const auto file = SafetensorsFile::open(path);
  auto adapter = std::make_shared<IPAdapter>();
  adapter->source_ = path;
  const TensorMap proj = tensors_of(file, kProj);
  const TensorMap layers = tensors_of(file, kLayers);
  if (proj.empty() || layers.empty())
    throw_model_error(path, "image_proj / ip_adapter",
                      "not an IP-Adapter in the original layout (needs image_proj.* and ip_adapter.* keys)");
  for (const auto& name : file->names())
    if (name.rfind(kProj, 0) != 0 && name.rfind(kLayers, 0) != 0)
      throw_model_error(path, name, "unexpected key (an IP-Adapter has image_proj.* and ip_adapter.* only)");

  const auto& unet_weight = unet.conv_in->weight;
  const auto dtype = unet_weight.scalar_type();
  const auto device = unet_weight.device();
  if (proj.count("latents")) {
    TensorMap converted = convert_resampler(proj, path);
    adapter->plus_ = IPAdapterPlusImageProjection(resampler_options(converted, path));
    load_state_dict(*adapter->plus_, converted, path + " (image_proj, converted to diffusers' names)");
    adapter->plus_->to(device, dtype);
    adapter->plus_->eval();
  } else if (proj.count("proj.weight") && proj.count("norm.weight") && proj.size() == 4) {
    const at::Tensor& w = proj.at("proj.weight");
    const std::int64_t token_dim = proj.at("norm.weight").size(0);
    if (w.dim() != 2 || token_dim <= 0 || w.size(0) % token_dim != 0)
      throw_model_error(path, "image_proj.proj.weight",
                        "shape " + shape_to_string(w.sizes().vec()) + " is not [tokens x " +
                            std::to_string(token_dim) + ", image_embed_dim]");
    adapter->basic_ = ImageProjection(w.size(1), token_dim, w.size(0) / token_dim);
    TensorMap converted{{"image_embeds.weight", w},
                        {"image_embeds.bias", need(proj, "proj.bias", path)},
                        {"norm.weight", proj.at("norm.weight")},
                        {"norm.bias", need(proj, "norm.bias", path)}};
    load_state_dict(*adapter->basic_, converted, path + " (image_proj, converted to diffusers' names)");
    adapter->basic_->to(device, dtype);
    adapter->basic_->eval();
  } else {
    std::string keys;
    for (const auto& [k, v] : proj) keys += (keys.empty() ? "" : ", ") + k;
    throw_model_error(
        path, "image_proj",
        "unsupported projection (supported: the basic proj/norm and the Plus Resampler); found " + keys);
  }

  // to_k_ip / to_v_ip per cross-attention layer, checked all at once.
  std::map<std::string, IPAdapterLayerWeights> weights;
  std::vector<std::string> problems;
  std::set<std::string> used;
  const auto crosses = cross_layers_in_processor_order(unet);
  for (std::size_t k = 0; k < crosses.size(); ++k) {
    const std::string index = std::to_string(2 * k + 1);
    const Attention& a = crosses[k];
    IPAdapterLayerWeights lw;
    for (const auto& [which, slot] : {std::pair{"to_k_ip", &lw.to_k_ip}, {"to_v_ip", &lw.to_v_ip}}) {
      const std::string key = index + "." + which + ".weight";
      const auto it = layers.find(key);
      if (it == layers.end()) {
        problems.push_back(std::string(kLayers) + key + " missing (for " + a->layer_info().name + ")");
        continue;
      }
      used.insert(key);
      const std::vector<std::int64_t> want{a->to_k->weight.size(0), a->to_k->weight.size(1)};
      if (it->second.sizes().vec() != want) {
        problems.push_back(std::string(kLayers) + key + " is " + shape_to_string(it->second.sizes().vec()) +
                           ", expected " + shape_to_string(want) + " (" + a->layer_info().name + ")");
        continue;
      }
      *slot = it->second.to(device, dtype);
    }
    weights[a->layer_info().name] = lw;
  }
  for (const auto& [key, value] : layers)
    if (!used.count(key))
      problems.push_back(std::string(kLayers) + key + " has no cross-attention layer in this UNet");
  if (!problems.empty()) {
    std::string all;
    for (std::size_t i = 0; i < problems.size() && i < 20; ++i) all += "\n  " + problems[i];
    if (problems.size() > 20) all += "\n  ... and " + std::to_string(problems.size() - 20) + " more";
    throw_model_error(path, "ip_adapter", "does not fit the UNet:" + all);
  }
  const std::int64_t token_dim =
      adapter->plus_ ? adapter->plus_->options().output_dims : adapter->basic_->norm->weight.size(0);
  for (const auto& a : crosses)
    if (a->to_k->weight.size(1) != token_dim)
      throw_model_error(path, "image_proj",
                        "makes tokens of width " + std::to_string(token_dim) + " but " +
                            a->layer_info().name + " attends to width " +
                            std::to_string(a->to_k->weight.size(1)));
  adapter->modifier_ = std::make_shared<IPAdapterAttnModifier>(std::move(weights));
  return adapter;
}

at::Tensor IPAdapter::project(const at::Tensor& image_embeds) const {
  at::NoGradGuard no_grad;
  at::Tensor x = image_embeds;
  if (plus_) {
    if (x.dim() == 4) x = x.flatten(0, 1);  // [N, images, S, D] -> [N * images, S, D]
    if (x.dim() != 3 || x.size(2) != plus_->options().embed_dims)
      throw_bad_input(source_, "image_embeds",
                      "the Plus adapter takes image encoder hidden states [N, S, " +
                          std::to_string(plus_->options().embed_dims) + "], got " +
                          shape_to_string(x.sizes().vec()));
    IPAdapterPlusImageProjection plus = plus_;  // a holder copy: forward() is not const
    return plus->forward(x.to(plus->latents.options()));
  }
  if (x.dim() == 3) x = x.flatten(0, 1);  // [N, images, D] -> [N * images, D]
  const auto in = basic_->image_embeds->weight.size(1);
  if (x.dim() != 2 || x.size(1) != in)
    throw_bad_input(source_, "image_embeds",
                    "the adapter takes image embeds [N, " + std::to_string(in) + "], got " +
                        shape_to_string(x.sizes().vec()));
  ImageProjection basic = basic_;
  return basic->forward(x.to(basic->image_embeds->weight.options()));
}

IPAdapterImageEmbeds IPAdapter::encode_image(CLIPVisionModelWithProjectionImpl& encoder,
                                             const at::Tensor& pixel_values) const {
  at::NoGradGuard no_grad;
  IPAdapterImageEmbeds out;
  if (plus_) {
    out.positive = encoder.forward(pixel_values).penultimate_hidden_state;
    // diffusers encodes torch.zeros_like(pixel_values) for the unconditional branch of Plus.
    out.negative = encoder.forward(at::zeros_like(pixel_values)).penultimate_hidden_state;
  } else {
    out.positive = encoder.forward(pixel_values).image_embeds;
    out.negative = at::zeros_like(out.positive);
  }
  return out;
}

}  // namespace storyscope
