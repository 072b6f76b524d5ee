#include "core/training/concept_losses.h"

#include <ATen/ATen.h>

#include "core/common/error.h"

namespace storyscope {

at::Tensor nearest_resize(const at::Tensor& masks, std::int64_t h, std::int64_t w) {
  if (masks.dim() < 2) throw_bad_input("mask", "shape", "needs at least 2 dimensions");
  const std::int64_t H = masks.size(-2), W = masks.size(-1);
  const auto index = [&](std::int64_t out, std::int64_t in) {
    // floor(i * in / out) in integers: PyTorch's "nearest" for an integer scale and the
    // legacy rule otherwise (scale = in / out, source = floor(i * scale)).
    return at::arange(out, at::TensorOptions().dtype(at::kLong)).mul(in).div(out, "floor").to(masks.device());
  };
  return masks.to(at::kFloat).index_select(-2, index(h, H)).index_select(-1, index(w, W));
}

at::Tensor masked_diffusion_loss(const at::Tensor& pred, const at::Tensor& target, const at::Tensor& mask) {
  at::Tensor m = mask.dim() == 3 ? mask.unsqueeze(1) : mask;
  m = m.to(pred.scalar_type());
  return at::mse_loss(pred * m, target * m);
}

at::Tensor attention_mask_loss(const at::Tensor& map, const at::Tensor& mask) {
  const at::Tensor peak = map.max();
  // A map with no attention at all: compare with zeros (dividing would give NaN).
  const at::Tensor normalised = map / at::where(peak > 0, peak, at::ones_like(peak));
  return at::mse_loss(normalised, mask.to(map.scalar_type()));
}

}  // namespace storyscope
