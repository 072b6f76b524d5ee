#include "core/attention/processor.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include <algorithm>
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

namespace {

// diffusers' classic AttnProcessor arithmetic (baddbmm with beta 0 and alpha = scale, then
// softmax), batched over all heads. Kept for autograd (training) and non-CPU devices.
at::Tensor batched_attention(const at::Tensor& q3, const at::Tensor& kt, const at::Tensor& v3, double scale,
                             std::int64_t query_chunk) {
  const auto bh = q3.size(0), n = q3.size(1), m = kt.size(2);
  if (query_chunk <= 0 || query_chunk >= n) {
    auto scores = at::baddbmm(at::empty({bh, n, m}, q3.options()), q3, kt, 0.0, scale);
    return at::bmm(scores.softmax(-1), v3);
  }
  auto out = at::empty({bh, n, v3.size(2)}, q3.options());
  for (std::int64_t s = 0; s < n; s += query_chunk) {
    const auto e = std::min(n, s + query_chunk);
    auto scores = at::baddbmm(at::empty({bh, e - s, m}, q3.options()), q3.slice(1, s, e), kt, 0.0, scale);
    out.slice(1, s, e).copy_(at::bmm(scores.softmax(-1), v3));
  }
  return out;
}

// CPU inference: one (head, query block) per task, with the block's scores sized to stay in
// the core's cache (~2 MiB) instead of materialising [heads, N, M] probabilities. Same
// per-row arithmetic as the batched form (addmm with beta 0 / alpha = scale, softmax, mm).
at::Tensor blocked_cpu_attention(const at::Tensor& q3, const at::Tensor& k3, const at::Tensor& v3, double scale) {
  const auto bh = q3.size(0), n = q3.size(1), m = k3.size(1), dv = v3.size(2);
  constexpr std::int64_t kScoreBytes = 2 << 20;
  const std::int64_t block =
      std::max<std::int64_t>(16, std::min<std::int64_t>(n, kScoreBytes / (m * q3.element_size())));
  const std::int64_t blocks_per_head = (n + block - 1) / block;
  auto out = at::empty({bh, n, dv}, q3.options());
  at::parallel_for(0, bh * blocks_per_head, 1, [&](std::int64_t begin, std::int64_t end) {
    at::Tensor scores = at::empty({block, m}, q3.options());
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t head = task / blocks_per_head;
      const std::int64_t s = (task % blocks_per_head) * block, e = std::min(n, s + block);
      at::Tensor sc = scores.narrow(0, 0, e - s);
      at::addmm_out(sc, sc, q3[head].narrow(0, s, e - s), k3[head].t(), /*beta=*/0.0, /*alpha=*/scale);
      at::_softmax_out(sc, sc, -1, false);
      at::Tensor dst = out[head].narrow(0, s, e - s);
      at::mm_out(dst, sc, v3[head]);
    }
  });
  return out;
}

}  // namespace

at::Tensor attention_kernel(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                            std::int64_t query_chunk) {
  const auto b = q.size(0), h = q.size(1), n = q.size(2), d = q.size(3);
  const auto m = k.size(2), dv = v.size(3);
  auto q3 = q.reshape({b * h, n, d});
  auto k3 = k.reshape({b * h, m, d});
  auto v3 = v.reshape({b * h, m, dv});
  const bool needs_grad = at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
  at::Tensor out = (q.is_cpu() && !needs_grad)
                       ? blocked_cpu_attention(q3.contiguous(), k3.contiguous(), v3.contiguous(), scale)
                       : batched_attention(q3, k3.transpose(1, 2), v3, scale, query_chunk);
  return out.view({b, h, n, dv});
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
