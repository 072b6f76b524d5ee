#include "core/pipeline/ldm_checkpoint.h"

#include <ATen/ATen.h>

#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"

namespace storyscope {

namespace {

bool has_prefix(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

const char* owning_component(const std::string& key) {
  for (const auto& p : ldm_component_prefixes())
    if (has_prefix(key, p.prefix)) return p.component;
  return nullptr;
}

std::string join_some(const std::vector<std::string>& items, std::size_t max_items = 12) {
  std::ostringstream os;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) os << (i ? ", " : "") << items[i];
  if (items.size() > max_items) os << ", ... (" << items.size() << " in all)";
  return os.str();
}

at::Tensor apply_transform(const at::Tensor& t, LdmTransform tr) {
  switch (tr) {
    case LdmTransform::None:
      return t;
    case LdmTransform::AsLinear:
      return t.dim() == 2 ? t : t.reshape({t.size(0), t.size(1)});
    case LdmTransform::AsConv1x1:
      return t.dim() == 4 ? t : t.reshape({t.size(0), t.size(1), 1, 1});
    case LdmTransform::Transpose:
      return t.t().contiguous();
    case LdmTransform::SplitQ:
      return t.chunk(3, 0)[0];
    case LdmTransform::SplitK:
      return t.chunk(3, 0)[1];
    case LdmTransform::SplitV:
      return t.chunk(3, 0)[2];
  }
  return t;
}

}  // namespace

ModelFamily detect_checkpoint_family(const std::vector<std::string>& keys) {
  return describe_checkpoint_keys(keys).family;
}

LdmKeyMapping map_ldm_keys(const std::map<std::string, std::vector<std::int64_t>>& ldm_shapes,
                           const std::string& source, const UNetConfig& unet_cfg, const VAEConfig& vae_cfg) {
  std::vector<std::string> keys;  // normalized spelling, for the layout questions
  keys.reserve(ldm_shapes.size());
  for (const auto& [k, s] : ldm_shapes) keys.push_back(normalized_ldm_key(k));

  LdmKeyMapping out;
  const auto family = describe_checkpoint_keys(keys);
  out.family = family.family;
  if (!family.has_unet && !family.has_vae && !family.has_text_encoder && !family.has_text_encoder_2)
    throw_model_error(source, "keys", family.explanation);

  const LdmKeyTable table = build_ldm_key_table(unet_cfg, vae_cfg, count_ldm_text_layers(keys));
  std::vector<std::string> unknown, bad_shape;
  std::map<std::string, std::string> target_owner;  // "component/key" -> LDM key
  std::vector<std::string> collisions;
  for (const auto& [key, shape] : ldm_shapes) {
    const auto it = table.keys.find(normalized_ldm_key(key));
    if (it == table.keys.end()) {
      if (table.ignored.count(normalized_ldm_key(key)) || is_ignorable_ldm_key(key) || !owning_component(key))
        out.ignored.push_back(key);
      else
        unknown.push_back(key);
      continue;
    }
    auto& targets = out.mapped[key];
    for (const auto& t : it->second) {
      auto dshape = transformed_shape(t.transform, shape);
      // An empty result means "cannot apply", except that None keeps a scalar a scalar; a scalar
      // given to any other transform reached LibTorch's chunk/reshape (found by fuzz_ldm_keys).
      if (dshape.empty() && (!shape.empty() || t.transform != LdmTransform::None)) {
        bad_shape.push_back(key + " " + shape_to_string(shape) + " (" + transform_name(t.transform) + ")");
        continue;
      }
      auto [owner, fresh] = target_owner.emplace(t.component + "/" + t.key, key);
      if (!fresh) collisions.push_back(key + " and " + owner->second + " -> " + t.component + "/" + t.key);
      targets.push_back({t.component, t.key, std::move(dshape), t.transform});
    }
  }
  if (!unknown.empty())
    throw_model_error(source, unknown.front(),
                      std::to_string(unknown.size()) + " key(s) under " + owning_component(unknown.front()) +
                          "-like prefixes have no place in a model of the given configs (" +
                          family_name(family.family) + " file): " + join_some(unknown));
  if (!bad_shape.empty())
    throw_model_error(source, bad_shape.front(),
                      "shape the conversion cannot apply to: " + join_some(bad_shape));
  if (!collisions.empty())
    throw_model_error(source, collisions.front(),
                      "two keys map to one diffusers key: " + join_some(collisions));
  return out;
}

ConvertedCheckpoint convert_ldm_checkpoint(const TensorMap& ldm, const std::string& source,
                                           const UNetConfig& unet_cfg, const VAEConfig& vae_cfg) {
  std::map<std::string, std::vector<std::int64_t>> shapes;
  for (const auto& [k, t] : ldm) shapes.emplace(k, t.sizes().vec());
  const LdmKeyMapping mapping = map_ldm_keys(shapes, source, unet_cfg, vae_cfg);

  ConvertedCheckpoint out;
  out.family = mapping.family;
  out.ignored_keys = mapping.ignored;
  const std::map<std::string, TensorMap*> components = {{"unet", &out.unet},
                                                        {"vae", &out.vae},
                                                        {"text_encoder", &out.text_encoder},
                                                        {"text_encoder_2", &out.text_encoder_2}};
  for (const auto& [key, targets] : mapping.mapped) {
    const at::Tensor& t = ldm.at(key);
    for (const auto& m : targets) (*components.at(m.component))[m.key] = apply_transform(t, m.transform);
  }
  return out;
}

}  // namespace storyscope
