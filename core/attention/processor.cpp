#include "core/attention/processor.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

#include <algorithm>

namespace storyscope {

const char* place_name(Place p) {
  switch (p) {
    case Place::Down:
      return "down";
    case Place::Mid:
      return "mid";
    case Place::Up:
      return "up";
    case Place::Other:
      return "other";
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
// bias4: undefined or the bias expanded to [B, heads, N, M] (a view; copied per chunk only).
at::Tensor batched_attention(const at::Tensor& q3, const at::Tensor& kt, const at::Tensor& v3, double scale,
                             std::int64_t query_chunk, const at::Tensor& bias4) {
  const auto bh = q3.size(0), n = q3.size(1), m = kt.size(2);
  const auto scores_of = [&](const at::Tensor& q_rows, std::int64_t s, std::int64_t e) {
    if (!bias4.defined()) return at::baddbmm(at::empty({bh, e - s, m}, q3.options()), q_rows, kt, 0.0, scale);
    return at::baddbmm(bias4.slice(2, s, e).reshape({bh, e - s, m}), q_rows, kt, 1.0, scale);
  };
  if (query_chunk <= 0 || query_chunk >= n) return at::bmm(scores_of(q3, 0, n).softmax(-1), v3);
  auto out = at::empty({bh, n, v3.size(2)}, q3.options());
  for (std::int64_t s = 0; s < n; s += query_chunk) {
    const auto e = std::min(n, s + query_chunk);
    out.slice(1, s, e).copy_(at::bmm(scores_of(q3.slice(1, s, e), s, e).softmax(-1), v3));
  }
  return out;
}

// CPU inference: one (head, query block) per task, with the block's scores sized to stay in
// the core's cache (~2 MiB) instead of materialising [heads, N, M] probabilities. Same
// per-row arithmetic as the batched form (addmm with beta 0 / alpha = scale, softmax, mm).
at::Tensor blocked_cpu_attention(const at::Tensor& q3, const at::Tensor& k3, const at::Tensor& v3,
                                 double scale, const at::Tensor& bias4) {
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
      if (bias4.defined()) {
        // [len, M] slice of this (batch, head), possibly with stride 0 where the bias broadcasts.
        const at::Tensor b = bias4[head / bias4.size(1)][head % bias4.size(1)].narrow(0, s, e - s);
        at::addmm_out(sc, b, q3[head].narrow(0, s, e - s), k3[head].t(), /*beta=*/1.0, /*alpha=*/scale);
      } else {
        at::addmm_out(sc, sc, q3[head].narrow(0, s, e - s), k3[head].t(), /*beta=*/0.0, /*alpha=*/scale);
      }
      at::_softmax_out(sc, sc, -1, false);
      at::Tensor dst = out[head].narrow(0, s, e - s);
      at::mm_out(dst, sc, v3[head]);
    }
  });
  return out;
}

}  // namespace

at::Tensor attention_kernel(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                            std::int64_t query_chunk, const at::Tensor& bias) {
  const auto b = q.size(0), h = q.size(1), n = q.size(2), d = q.size(3);
  const auto m = k.size(2), dv = v.size(3);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  // Fused kernels (flash / memory-efficient) never materialise the scores. They sum in another
  // order than the classic arithmetic below (~1e-6 on CPU); LibTorch 1.13 keeps the classic one.
  if (!bias.defined()) return at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale);
#endif
  const at::Tensor bias4 =
      bias.defined() ? bias.to(q.device(), q.scalar_type()).expand({b, h, n, m}) : at::Tensor();
  auto q3 = q.reshape({b * h, n, d});
  auto k3 = k.reshape({b * h, m, d});
  auto v3 = v.reshape({b * h, m, dv});
  const bool needs_grad =
      at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
  at::Tensor out =
      (q.is_cpu() && !needs_grad)
          ? blocked_cpu_attention(q3.contiguous(), k3.contiguous(), v3.contiguous(), scale, bias4)
          : batched_attention(q3, k3.transpose(1, 2), v3, scale, query_chunk, bias4);
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
