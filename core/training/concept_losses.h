#pragma once
// Break-A-Scene's two losses (Avrahami et al. 2023, section 3), on plain tensors so tests can
// feed hand-made values:
// - the masked diffusion loss: prediction and target both multiplied by the union mask of the
//   sampled assets, then the mean squared error over every element (masked-out elements count
//   as zeros, as the reference does, so the loss is not renormalised by the mask area);
// - the attention loss: for one asset, MSE(mask, A / max A) between its mask (nearest-resized to
//   the map's grid) and its cross-attention map A.
#include <ATen/Tensor.h>

#include <cstdint>

namespace storyscope {

// PyTorch's F.interpolate(mode="nearest") of masks [..., H, W] to [..., h, w]: source index
// floor(i * H / h). Float32 out.
at::Tensor nearest_resize(const at::Tensor& masks, std::int64_t h, std::int64_t w);

// pred, target [B, C, h, w]; mask [B, 1, h, w] (or [B, h, w]) in [0, 1] on the same grid.
at::Tensor masked_diffusion_loss(const at::Tensor& pred, const at::Tensor& target, const at::Tensor& mask);

// map [h, w] (non-negative attention), mask [h, w] on the same grid. A map whose max is 0
// compares the mask with zeros instead of dividing by zero.
at::Tensor attention_mask_loss(const at::Tensor& map, const at::Tensor& mask);

}  // namespace storyscope
