#pragma once
// One processor that composes the attention features of the app: observers (the
// AttentionStore, debugging captures) see probabilities, modifiers (IPCA, IP-Adapter) change
// queries/keys/values, add a logit bias or an extra output term. Installed on every layer of a
// UNet (`unet->set_attn_processor([p](const LayerInfo&) { return p; })`), it costs nothing
// where nobody observes: those layers run the default kernel.
//
// Order per call: project q, k, v -> every modifier's modify() in the order added -> the
// attention (with the summed bias) -> observers, if any wants this layer -> + every modifier's
// added_attention() output (its probabilities to observe_added()) -> to_out. So observers see
// what the modifiers actually produced.
#include <ATen/Tensor.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/attention/processor.h"

namespace storyscope {

// The tensors a modifier may change. q: [B, heads, N, d]; k, v: [B, heads, M, d] (a modifier
// may change M, e.g. append keys). bias: undefined, or an additive logit bias broadcastable to
// [B, heads, N, M] (dims of size 1 broadcast); -inf masks a key out.
struct AttentionTensors {
  at::Tensor q, k, v;
  at::Tensor bias;
};

// A second attention a modifier runs beside the main one, over keys of its own, whose output
// is added before to_out (IP-Adapter's decoupled attention over image tokens).
struct AddedAttention {
  at::Tensor output;    // [B, N, heads*d], already multiplied by `weight`; undefined: nothing added
  at::Tensor probs;     // [B, heads, N, T] after softmax, filled only when observers asked for it
  double weight = 1.0;  // the factor its output was added with (the IP-Adapter scale)
  std::string keys;     // what its keys are, e.g. "ip_image"
};

class AttentionObserver {
 public:
  virtual ~AttentionObserver() = default;
  // Asked on every call, so keep it cheap. Only layers some observer wants pay for
  // materialising probabilities.
  virtual bool wants(const LayerInfo& layer) const = 0;
  // probs: [B, heads, N, M] after softmax, in the compute dtype and device. Valid during the call
  // only: copy what you keep.
  virtual void observe(const LayerInfo& layer, const StepInfo& step, const at::Tensor& probs) = 0;
  // An attention a modifier ran over keys of its own (see AddedAttention), on layers wants()
  // accepted. Valid during the call only. Default: ignored.
  virtual void observe_added(const LayerInfo& layer, const StepInfo& step, const AddedAttention& added) {}
};

class AttentionModifier {
 public:
  virtual ~AttentionModifier() = default;
  // hidden [B, N, C] and context [B, M, Cc] (undefined for self-attention) are the processor's
  // inputs; t holds the projected tensors (and the bias so far) to change in place.
  virtual void modify(const AttentionProjections& attn, const at::Tensor& hidden, const at::Tensor& context,
                      const LayerInfo& layer, const StepInfo& step, AttentionTensors& t) {}
  // A term added to the merged attention output [B, N, heads*d] before to_out (IP-Adapter's
  // scaled image attention), or an undefined tensor for none. `t` is the final q/k/v/bias.
  virtual at::Tensor extra_output(const AttentionProjections& attn, const at::Tensor& hidden,
                                  const at::Tensor& context, const LayerInfo& layer, const StepInfo& step,
                                  const AttentionTensors& t) {
    return {};
  }
  // extra_output() with the probabilities behind it: `want_probs` is set on layers some
  // observer wants, and a modifier that attends over keys of its own then fills probs for them
  // (AttentionObserver::observe_added). The default wraps extra_output().
  virtual AddedAttention added_attention(const AttentionProjections& attn, const at::Tensor& hidden,
                                         const at::Tensor& context, const LayerInfo& layer,
                                         const StepInfo& step, const AttentionTensors& t, bool want_probs) {
    AddedAttention added;
    added.output = extra_output(attn, hidden, context, layer, step, t);
    return added;
  }
};

using AttentionObserverPtr = std::shared_ptr<AttentionObserver>;
using AttentionModifierPtr = std::shared_ptr<AttentionModifier>;

// Probabilities with diffusers' classic AttnProcessor arithmetic: baddbmm(empty, Q, K^T,
// beta=0, alpha=scale) (or baddbmm(bias, Q, K^T, beta=1, alpha=scale) with a bias, as diffusers
// passes an attention mask), then softmax. q, k: [B, heads, N|M, d] -> [B, heads, N, M].
at::Tensor attention_probabilities(const at::Tensor& q, const at::Tensor& k, double scale,
                                   const at::Tensor& bias = {});

class ComposableAttentionProcessor : public AttentionProcessor {
 public:
  // Not thread-safe against process(): change the lists between UNet calls.
  void add_observer(AttentionObserverPtr observer);
  void add_modifier(AttentionModifierPtr modifier);
  void remove_observer(const AttentionObserver* observer);
  void remove_modifier(const AttentionModifier* modifier);
  void clear();
  const std::vector<AttentionObserverPtr>& observers() const { return observers_; }
  const std::vector<AttentionModifierPtr>& modifiers() const { return modifiers_; }

  // True when some observer wants the layer (it will materialise probabilities).
  bool observed(const LayerInfo& layer) const;

  at::Tensor process(const AttentionProjections& attn, const at::Tensor& hidden, const at::Tensor& context,
                     const LayerInfo& layer, const StepInfo& step) override;

  // Calls that ran the kernel without probabilities, and calls that materialised them.
  std::int64_t fast_calls() const { return fast_calls_.load(); }
  std::int64_t observed_calls() const { return observed_calls_.load(); }
  void reset_counters();

 private:
  std::vector<AttentionObserverPtr> observers_;
  std::vector<AttentionModifierPtr> modifiers_;
  std::atomic<std::int64_t> fast_calls_{0}, observed_calls_{0};
};

using ComposableAttentionProcessorPtr = std::shared_ptr<ComposableAttentionProcessor>;

}  // namespace storyscope
