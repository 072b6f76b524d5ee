#include "core/attention/processor.h"

#include <ATen/ATen.h>
#include <torch/version.h>

namespace storyscope {

const char* place_name(Place p) {
  switch (p) {
    case Place::Down: return "down";
    case Place::Mid: return "mid";
    case Place::Up: return "up";
    case Place::Other: return "other";
  }
  return "other";
}

at::Tensor split_heads(const at::Tensor& x, int heads) {
  const auto b = x.size(0), n = x.size(1), c = x.size(2);
  return x.view({b, n, heads, c / heads}).transpose(1, 2);
}

at::Tensor merge_heads(const at::Tensor& x) {
  const auto b = x.size(0), h = x.size(1), n = x.size(2), d = x.size(3);
  return x.transpose(1, 2).reshape({b, n, h * d});
}

at::Tensor attention_kernel(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                            std::int64_t query_chunk) {
  const auto b = q.size(0), h = q.size(1), n = q.size(2), d = q.size(3);
  const auto m = k.size(2);
  // Same arithmetic as diffusers' classic AttnProcessor (baddbmm with beta 0, then softmax), so
  // results match the reference fixtures; chunking over queries only bounds the memory of the
  // [N, M] probabilities (a 4096x4096 self-attention would otherwise need 64 MiB per head).
  auto q3 = q.reshape({b * h, n, d});
  auto kt = k.reshape({b * h, m, d}).transpose(1, 2);
  auto v3 = v.reshape({b * h, m, v.size(3)});
  if (query_chunk <= 0 || query_chunk >= n) {
    auto scores = at::baddbmm(at::empty({b * h, n, m}, q.options()), q3, kt, 0.0, scale);
    return at::bmm(scores.softmax(-1), v3).view({b, h, n, v.size(3)});
  }
  auto out = at::empty({b * h, n, v.size(3)}, q.options());
  for (std::int64_t s = 0; s < n; s += query_chunk) {
    const auto e = std::min(n, s + query_chunk);
    auto qs = q3.slice(1, s, e);
    auto scores = at::baddbmm(at::empty({b * h, e - s, m}, q.options()), qs, kt, 0.0, scale);
    out.slice(1, s, e).copy_(at::bmm(scores.softmax(-1), v3));
  }
  return out.view({b, h, n, v.size(3)});
}

at::Tensor DefaultAttentionProcessor::process(const AttentionProjections& attn, const at::Tensor& hidden,
                                              const at::Tensor& context, const LayerInfo& /*layer*/,
                                              const StepInfo& /*step*/) {
  const at::Tensor& ctx = context.defined() ? context : hidden;
  auto q = split_heads(attn.to_q->forward(hidden), attn.heads);
  auto k = split_heads(attn.to_k->forward(ctx), attn.heads);
  auto v = split_heads(attn.to_v->forward(ctx), attn.heads);
  auto o = merge_heads(attention_kernel(q, k, v, attn.scale));
  return attn.to_out->forward(o);
}

AttentionProcessorPtr DefaultAttentionProcessor::shared() {
  static AttentionProcessorPtr instance = std::make_shared<DefaultAttentionProcessor>();
  return instance;
}

}  // namespace storyscope
