#include "core/pipeline/ip_adapter_run.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/attention/composable_processor.h"
#include "core/common/error.h"
#include "core/tensor/state_dict.h"

namespace storyscope {

void validate_ip_adapter_input(const IPAdapterInput& input, std::int64_t batch, bool cfg,
                               const std::string& source) {
  if (!input.adapter) throw_bad_input(source, "ip_adapter", "no adapter loaded");
  if (!std::isfinite(input.scale)) throw_bad_input(source, "ip_adapter.scale", "must be a finite number");
  const auto check = [&](const at::Tensor& t, const char* field, bool needed) {
    if (!t.defined()) {
      if (needed) throw_bad_input(source, field, "is required with these settings");
      return;
    }
    if (t.dim() < 2 || (t.size(0) != 1 && t.size(0) != batch))
      throw_bad_input(source, field,
                      "must have 1 or batch (" + std::to_string(batch) + ") rows, got shape " +
                          shape_to_string(t.sizes().vec()));
  };
  check(input.image_embeds.positive, "ip_adapter.image_embeds.positive", true);
  check(input.image_embeds.negative, "ip_adapter.image_embeds.negative", cfg);
}

at::Tensor ip_adapter_tokens(const IPAdapterInput& input, std::int64_t batch, bool cfg) {
  const auto rows = [&](const at::Tensor& embeds) {
    const at::Tensor tokens = input.adapter->project(embeds);
    return tokens.size(0) == batch ? tokens : tokens.expand({batch, -1, -1}).contiguous();
  };
  at::Tensor tokens = rows(input.image_embeds.positive);
  if (cfg) tokens = at::cat({rows(input.image_embeds.negative), tokens}, 0);
  return tokens;
}

ScopedIPAdapter::ScopedIPAdapter(UNet2DConditionModelImpl& unet, const IPAdapterInput& input,
                                 const at::Tensor& tokens)
    : modifier_(input.adapter->modifier()) {
  modifier_->set_image_tokens(tokens);
  modifier_->set_scale(input.scale);
  std::shared_ptr<ComposableAttentionProcessor> local;
  for (auto& a : unet.attention_modules()) {
    if (!modifier_->weights().count(a->layer_info().name)) continue;
    const AttentionProcessorPtr current = a->processor();
    if (auto composable = std::dynamic_pointer_cast<ComposableAttentionProcessor>(current)) {
      if (std::find(extended_.begin(), extended_.end(), composable) != extended_.end()) continue;
      const auto& mods = composable->modifiers();
      if (std::any_of(mods.begin(), mods.end(),
                      [&](const AttentionModifierPtr& m) { return m == modifier_; }))
        continue;  // installed by the caller, who keeps it
      composable->add_modifier(modifier_);
      extended_.push_back(composable);
    } else if (!current || current == DefaultAttentionProcessor::shared()) {
      if (!local) {
        local = std::make_shared<ComposableAttentionProcessor>();
        local->add_modifier(modifier_);
      }
      replaced_.emplace_back(a, current);
      a->set_processor(local);
    } else {
      // Undo what was done so far before refusing.
      for (auto& c : extended_) c->remove_modifier(modifier_.get());
      for (auto& [module, previous] : replaced_) module->set_processor(previous);
      modifier_->set_image_tokens({});
      throw_bad_input(input.adapter->source(), a->layer_info().name,
                      "has a custom attention processor that cannot take the IP-Adapter");
    }
  }
}

ScopedIPAdapter::~ScopedIPAdapter() {
  for (auto& c : extended_) c->remove_modifier(modifier_.get());
  for (auto& [module, previous] : replaced_) module->set_processor(previous);
  modifier_->set_image_tokens({});
}

}  // namespace storyscope
