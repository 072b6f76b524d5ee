#pragma once
// Cross-attention maps for a training loss: an AttentionObserver that keeps, with their autograd
// history, the head-averaged probabilities of every cross-attention layer of one resolution in
// chosen places (default: 16x16 in down and up blocks, the Prompt-to-Prompt view Break-A-Scene's
// attention loss uses). The AttentionStore cannot serve here: it detaches and stores float16.
//
// Install it on a ComposableAttentionProcessor for the training forward, call clear() before
// each step, and read p2p_maps() after the UNet call. Every row of the batch is kept.
#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/attention/composable_processor.h"

namespace storyscope {

class TrainingAttentionCapture : public AttentionObserver {
 public:
  explicit TrainingAttentionCapture(std::int64_t resolution = 16,
                                    std::vector<Place> places = {Place::Down, Place::Up});

  bool wants(const LayerInfo& layer) const override;
  void observe(const LayerInfo& layer, const StepInfo& step, const at::Tensor& probs) override;

  void clear() { maps_.clear(); }
  std::size_t layers_seen() const { return maps_.size(); }
  // Mean over the captured layers and heads: [B, h, w, M] (M = keys), still in the graph.
  // Throws Error(BadInput) when no layer of the resolution ran (the UNet has none).
  at::Tensor p2p_maps() const;

 private:
  std::int64_t resolution_;
  std::vector<Place> places_;
  std::vector<at::Tensor> maps_;  // per layer [B, h, w, M]
};

}  // namespace storyscope
