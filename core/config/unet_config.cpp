#include "core/config/unet_config.h"

#include <algorithm>

#include "core/config/config_checks.h"
#include "core/config/json_fields.h"

namespace storyscope {

namespace {

using json = nlohmann::json;

bool is_explicit_null(const JsonFields& f, const std::string& key) {
  const auto it = f.doc().find(key);
  return it != f.doc().end() && it->is_null();
}

std::string strip_unet_res(std::string type) {
  // diffusers accepts the old "UNetRes" spellings of block names.
  const std::string prefix = "UNetRes";
  if (type.compare(0, prefix.size(), prefix) == 0) type = type.substr(prefix.size());
  return type;
}

std::vector<bool> bool_or_list(const JsonFields& f, const std::string& key, std::size_t count,
                               bool fallback) {
  const auto it = f.doc().find(key);
  if (it == f.doc().end() || it->is_null()) return std::vector<bool>(count, fallback);
  if (it->is_boolean()) return std::vector<bool>(count, it->get<bool>());
  if (!it->is_array())
    f.fail(key, std::string("expected a boolean or a list of booleans, found ") + it->type_name());
  std::vector<bool> out;
  for (const auto& e : *it) {
    if (!e.is_boolean()) f.fail(key, "expected a list of booleans");
    out.push_back(e.get<bool>());
  }
  if (out.size() != count)
    f.fail(key, "expected one value or a list of " + std::to_string(count) + ", found " +
                    std::to_string(out.size()));
  return out;
}

// Keys whose non-default values select diffusers features this port does not implement: better
// a clear refusal than a model that silently computes something else.
void reject_unsupported(const JsonFields& f) {
  for (const char* key : {"class_embed_type", "num_class_embeds", "encoder_hid_dim", "encoder_hid_dim_type",
                          "time_cond_proj_dim", "time_embedding_act_fn", "timestep_post_act",
                          "cross_attention_norm", "reverse_transformer_layers_per_block"}) {
    if (f.has(key)) f.fail(key, "only null is supported, found " + f.doc().at(key).dump());
  }
  if (f.get_bool("dual_cross_attention", false))
    f.fail("dual_cross_attention", "dual cross-attention is not supported");
  if (f.get_bool("class_embeddings_concat", false))
    f.fail("class_embeddings_concat", "class embeddings are not supported");
  const auto attention_type = f.get_string("attention_type", "default");
  if (attention_type != "default")
    f.fail("attention_type", "only \"default\" is supported, found \"" + attention_type + "\"");
  if (f.has("_class_name")) {
    const auto cls = f.get_string("_class_name", "");
    if (cls != "UNet2DConditionModel")
      f.fail("_class_name", "expected \"UNet2DConditionModel\", found \"" + cls + "\"");
  }
}

}  // namespace

bool UNetConfig::is_cross_attn_block(const std::string& type) {
  return type == "CrossAttnDownBlock2D" || type == "CrossAttnUpBlock2D";
}

UNetConfig UNetConfig::from_file(const std::string& path) {
  return from_json(JsonFields::parse_json_file(path), path);
}

UNetConfig UNetConfig::from_json(const json& doc, const std::string& source) {
  const JsonFields f(doc, source);
  reject_unsupported(f);
  UNetConfig c;
  c.source = source;
  c.sample_size = f.get_optional_int("sample_size");
  c.in_channels = f.get_int("in_channels", c.in_channels);
  c.out_channels = f.get_int("out_channels", c.out_channels);
  c.center_input_sample = f.get_bool("center_input_sample", c.center_input_sample);
  c.flip_sin_to_cos = f.get_bool("flip_sin_to_cos", c.flip_sin_to_cos);
  c.freq_shift = f.get_double("freq_shift", c.freq_shift);

  c.down_block_types = f.get_string_list("down_block_types", c.down_block_types);
  c.up_block_types = f.get_string_list("up_block_types", c.up_block_types);
  for (auto& t : c.down_block_types) {
    t = strip_unet_res(t);
    if (t != "CrossAttnDownBlock2D" && t != "DownBlock2D")
      f.fail("down_block_types", "unsupported block \"" + t + "\" (CrossAttnDownBlock2D or DownBlock2D)");
  }
  for (auto& t : c.up_block_types) {
    t = strip_unet_res(t);
    if (t != "CrossAttnUpBlock2D" && t != "UpBlock2D")
      f.fail("up_block_types", "unsupported block \"" + t + "\" (CrossAttnUpBlock2D or UpBlock2D)");
  }
  if (is_explicit_null(f, "mid_block_type")) {
    c.mid_block_type.reset();
  } else {
    c.mid_block_type = f.get_string("mid_block_type", *c.mid_block_type);
    if (*c.mid_block_type != "UNetMidBlock2DCrossAttn")
      f.fail("mid_block_type", "unsupported \"" + *c.mid_block_type + "\" (UNetMidBlock2DCrossAttn or null)");
  }

  const std::size_t n = c.down_block_types.size();
  if (n == 0) f.fail("down_block_types", "needs at least one block");
  if (c.up_block_types.size() != n)
    f.fail("up_block_types", "has " + std::to_string(c.up_block_types.size()) +
                                 " entries but down_block_types has " + std::to_string(n));
  c.block_out_channels = f.get_int_list("block_out_channels", c.block_out_channels);
  if (c.block_out_channels.size() != n)
    f.fail("block_out_channels", "has " + std::to_string(c.block_out_channels.size()) +
                                     " entries but down_block_types has " + std::to_string(n));

  c.downsample_padding = f.get_int("downsample_padding", c.downsample_padding);
  c.mid_block_scale_factor = f.get_double("mid_block_scale_factor", c.mid_block_scale_factor);
  c.act_fn = f.get_string("act_fn", c.act_fn);
  if (is_explicit_null(f, "norm_num_groups"))
    f.fail("norm_num_groups", "null (no output norm) is not supported");
  c.norm_num_groups = f.get_int("norm_num_groups", c.norm_num_groups);
  c.norm_eps = f.get_double("norm_eps", c.norm_eps);
  c.use_linear_projection = f.get_bool("use_linear_projection", c.use_linear_projection);
  c.upcast_attention = f.get_bool("upcast_attention", c.upcast_attention);
  c.resnet_time_scale_shift = f.get_string("resnet_time_scale_shift", c.resnet_time_scale_shift);
  c.time_embedding_type = f.get_string("time_embedding_type", c.time_embedding_type);
  c.time_embedding_dim = f.get_optional_int("time_embedding_dim");
  c.conv_in_kernel = f.get_int("conv_in_kernel", c.conv_in_kernel);
  c.conv_out_kernel = f.get_int("conv_out_kernel", c.conv_out_kernel);

  c.addition_embed_type = f.get_optional_string("addition_embed_type");
  c.addition_time_embed_dim = f.get_optional_int("addition_time_embed_dim");
  c.projection_class_embeddings_input_dim = f.get_optional_int("projection_class_embeddings_input_dim");

  c.layers_per_block = f.get_int_or_list("layers_per_block", n, {2});
  c.cross_attention_dim = f.get_int_or_list("cross_attention_dim", n, {1280});
  c.transformer_layers_per_block = f.get_int_or_list("transformer_layers_per_block", n, {1});
  // diffusers' historical naming: attention_head_dim holds the number of heads unless
  // num_attention_heads is given.
  const auto head_dims = f.get_int_or_list("attention_head_dim", n, {8});
  c.num_attention_heads =
      f.has("num_attention_heads") ? f.get_int_or_list("num_attention_heads", n, {8}) : head_dims;
  c.only_cross_attention = bool_or_list(f, "only_cross_attention", n, false);
  const auto it = doc.find("only_cross_attention");
  const bool only_cross_is_bool = it != doc.end() && it->is_boolean();
  c.mid_block_only_cross_attention =
      f.get_bool("mid_block_only_cross_attention", only_cross_is_bool ? it->get<bool>() : false);

  c.validate();
  return c;
}

void UNetConfig::validate() const {
  const JsonFields f(json::object(), source);  // only for its error formatting
  const std::size_t n = down_block_types.size();
  if (n == 0) f.fail("down_block_types", "needs at least one block");
  auto expect_count = [&](const std::string& key, std::size_t size) {
    if (size != n)
      f.fail(key, "has " + std::to_string(size) + " entries but down_block_types has " + std::to_string(n));
  };
  expect_count("up_block_types", up_block_types.size());
  expect_count("block_out_channels", block_out_channels.size());
  expect_count("layers_per_block", layers_per_block.size());
  expect_count("cross_attention_dim", cross_attention_dim.size());
  expect_count("transformer_layers_per_block", transformer_layers_per_block.size());
  expect_count("attention_head_dim", num_attention_heads.size());
  expect_count("only_cross_attention", only_cross_attention.size());

  require_positive(f, "in_channels", in_channels);
  require_positive(f, "out_channels", out_channels);
  require_positive(f, "norm_num_groups", norm_num_groups);
  if (sample_size) require_positive(f, "sample_size", *sample_size);
  if (time_embedding_dim) require_positive(f, "time_embedding_dim", *time_embedding_dim);
  if (downsample_padding < 0) f.fail("downsample_padding", "must not be negative");
  if (!(norm_eps > 0)) f.fail("norm_eps", "must be positive");
  for (const auto& [key, k] : {std::pair<const char*, std::int64_t>{"conv_in_kernel", conv_in_kernel},
                               std::pair<const char*, std::int64_t>{"conv_out_kernel", conv_out_kernel}})
    if (k <= 0 || k % 2 == 0) f.fail(key, "must be a positive odd kernel size, found " + std::to_string(k));

  for (std::size_t i = 0; i < n; ++i) {
    const std::string at = " (block " + std::to_string(i) + ")";
    require_positive(f, "block_out_channels" + at, block_out_channels[i]);
    require_positive(f, "layers_per_block" + at, layers_per_block[i]);
    require_positive(f, "transformer_layers_per_block" + at, transformer_layers_per_block[i]);
    require_positive(f, "cross_attention_dim" + at, cross_attention_dim[i]);
    require_positive(f, "attention_head_dim" + at, num_attention_heads[i]);
    if (block_out_channels[i] % norm_num_groups != 0)
      f.fail("norm_num_groups", std::to_string(norm_num_groups) +
                                    " groups do not divide block_out_channels " +
                                    std::to_string(block_out_channels[i]) + at);
  }
  // Attention levels need channels = heads * head_dim, as diffusers derives head_dim by division.
  auto check_heads = [&](std::size_t level, const std::string& where) {
    if (block_out_channels[level] % num_attention_heads[level] != 0)
      f.fail("attention_head_dim", std::to_string(block_out_channels[level]) + " channels of " + where +
                                       " are not divisible by " + std::to_string(num_attention_heads[level]) +
                                       " heads");
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (is_cross_attn_block(down_block_types[i])) check_heads(i, "down block " + std::to_string(i));
    if (is_cross_attn_block(up_block_types[i])) check_heads(n - 1 - i, "up block " + std::to_string(i));
  }
  if (mid_block_type) check_heads(n - 1, "the mid block");

  if (act_fn != "silu" && act_fn != "swish" && act_fn != "mish" && act_fn != "gelu" && act_fn != "relu")
    f.fail("act_fn", "unsupported activation \"" + act_fn + "\" (silu, swish, mish, gelu, relu)");
  if (resnet_time_scale_shift != "default" && resnet_time_scale_shift != "scale_shift")
    f.fail("resnet_time_scale_shift",
           "expected \"default\" or \"scale_shift\", found \"" + resnet_time_scale_shift + "\"");
  if (time_embedding_type != "positional")
    f.fail("time_embedding_type", "only \"positional\" is supported, found \"" + time_embedding_type + "\"");
  if (addition_embed_type) {
    if (*addition_embed_type != "text_time")
      f.fail("addition_embed_type",
             "only \"text_time\" or null is supported, found \"" + *addition_embed_type + "\"");
    if (!addition_time_embed_dim)
      f.fail("addition_time_embed_dim", "is required when addition_embed_type is \"text_time\"");
    if (!projection_class_embeddings_input_dim)
      f.fail("projection_class_embeddings_input_dim",
             "is required when addition_embed_type is \"text_time\"");
    require_positive(f, "addition_time_embed_dim", *addition_time_embed_dim);
    require_positive(f, "projection_class_embeddings_input_dim", *projection_class_embeddings_input_dim);
  }
  if (mid_block_type && *mid_block_type != "UNetMidBlock2DCrossAttn")
    f.fail("mid_block_type", "unsupported \"" + *mid_block_type + "\" (UNetMidBlock2DCrossAttn or null)");
}

}  // namespace storyscope
