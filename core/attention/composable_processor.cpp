#include "core/attention/composable_processor.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace storyscope {

at::Tensor attention_probabilities(const at::Tensor& q, const at::Tensor& k, double scale,
                                   const at::Tensor& bias) {
  const auto b = q.size(0), h = q.size(1), n = q.size(2), d = q.size(3), m = k.size(2);
  const auto q3 = q.reshape({b * h, n, d});
  const auto kt = k.reshape({b * h, m, d}).transpose(1, 2);
  at::Tensor scores;
  if (bias.defined()) {
    const at::Tensor b3 = bias.to(q.device(), q.scalar_type()).expand({b, h, n, m}).reshape({b * h, n, m});
    scores = at::baddbmm(b3, q3, kt, 1.0, scale);
  } else {
    scores = at::baddbmm(at::empty({b * h, n, m}, q.options()), q3, kt, 0.0, scale);
  }
  return scores.softmax(-1).view({b, h, n, m});
}

void ComposableAttentionProcessor::add_observer(AttentionObserverPtr observer) {
  if (observer) observers_.push_back(std::move(observer));
}

void ComposableAttentionProcessor::add_modifier(AttentionModifierPtr modifier) {
  if (modifier) modifiers_.push_back(std::move(modifier));
}

void ComposableAttentionProcessor::remove_observer(const AttentionObserver* observer) {
  observers_.erase(std::remove_if(observers_.begin(), observers_.end(),
                                  [&](const AttentionObserverPtr& o) { return o.get() == observer; }),
                   observers_.end());
}

void ComposableAttentionProcessor::remove_modifier(const AttentionModifier* modifier) {
  modifiers_.erase(std::remove_if(modifiers_.begin(), modifiers_.end(),
                                  [&](const AttentionModifierPtr& m) { return m.get() == modifier; }),
                   modifiers_.end());
}

void ComposableAttentionProcessor::clear() {
  observers_.clear();
  modifiers_.clear();
}

bool ComposableAttentionProcessor::observed(const LayerInfo& layer) const {
  return std::any_of(observers_.begin(), observers_.end(),
                     [&](const AttentionObserverPtr& o) { return o->wants(layer); });
}

void ComposableAttentionProcessor::reset_counters() {
  fast_calls_ = 0;
  observed_calls_ = 0;
}

at::Tensor ComposableAttentionProcessor::process(const AttentionProjections& attn, const at::Tensor& hidden,
                                                 const at::Tensor& context, const LayerInfo& layer,
                                                 const StepInfo& step) {
  const at::Tensor& ctx = context.defined() ? context : hidden;
  AttentionTensors t;
  t.q = split_heads(attn.to_q->forward(hidden), attn.heads);
  t.k = split_heads(attn.to_k->forward(ctx), attn.heads);
  t.v = split_heads(attn.to_v->forward(ctx), attn.heads);
  for (const auto& m : modifiers_) m->modify(attn, hidden, context, layer, step, t);

  // The output always comes from the kernel, observed or not, so observing never changes a
  // pixel. Observed layers pay once more for Q K^T + softmax, in diffusers' classic arithmetic
  // (what the reference fixtures captured); nothing else does.
  at::Tensor out = attention_kernel(t.q, t.k, t.v, attn.scale, 1024, t.bias);
  const bool watched = observed(layer);
  if (watched) {
    ++observed_calls_;
    const at::Tensor probs = attention_probabilities(t.q, t.k, attn.scale, t.bias);
    for (const auto& o : observers_)
      if (o->wants(layer)) o->observe(layer, step, probs);
  } else {
    ++fast_calls_;
  }
  out = merge_heads(out);
  for (const auto& m : modifiers_) {
    const AddedAttention added = m->added_attention(attn, hidden, context, layer, step, t, watched);
    if (added.output.defined()) out = out + added.output;
    if (watched && added.probs.defined())
      for (const auto& o : observers_)
        if (o->wants(layer)) o->observe_added(layer, step, added);
  }
  return attn.to_out->forward(out);
}

}  // namespace storyscope
