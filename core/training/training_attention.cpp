#include "core/training/training_attention.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/common/error.h"

namespace storyscope {

TrainingAttentionCapture::TrainingAttentionCapture(std::int64_t resolution, std::vector<Place> places)
    : resolution_(resolution), places_(std::move(places)) {}

bool TrainingAttentionCapture::wants(const LayerInfo& layer) const {
  return layer.is_cross && std::min(layer.height, layer.width) == resolution_ &&
         std::find(places_.begin(), places_.end(), layer.place) != places_.end();
}

void TrainingAttentionCapture::observe(const LayerInfo& layer, const StepInfo&, const at::Tensor& probs) {
  // probs [B, heads, N, M]: the head mean keeps the graph to q and k (and so to the text
  // embeddings), which is what the attention loss trains.
  const auto b = probs.size(0), m = probs.size(3);
  maps_.push_back(probs.mean(1).view({b, layer.height, layer.width, m}));
}

at::Tensor TrainingAttentionCapture::p2p_maps() const {
  if (maps_.empty())
    throw_bad_input("attention loss", "resolution " + std::to_string(resolution_),
                    "the UNet has no cross-attention layer of this resolution in the chosen blocks");
  return at::stack(maps_, 0).mean(0);
}

}  // namespace storyscope
