#pragma once
// How well each concept token attends to its mask on the source image: the image noised to a
// few timesteps (inspect_image, fixed seed), the prompt "a photo of <asset0> and <asset1>" (the extraction's
// phrasing), the p2p view of every step together, scored with score_alignment (IoU at tau, Break-A-Scene MSE,
// mass inside). Measured before and after extraction to show the attention loss at work.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/alignment.h"
#include "core/pipeline/model_bundle.h"
#include "core/training/concept_phrasing.h"

namespace storyscope {

struct ConceptAlignmentOptions {
  std::optional<ConceptPhrasing> phrasing;  // empty: concept_phrasing_for(the model's tokenizer)
  std::vector<double> timesteps = {200, 400, 600};
  std::uint64_t seed = 0;
  int resolution = 16;
  double tau = 0.4;
};

// image [1,3,H,W] in [-1,1]; masks [N,H,W]; tokens N words of the prompt, each one token.
std::vector<AlignmentScores> concept_alignment(ModelBundle& bundle, const at::Tensor& image,
                                               const at::Tensor& masks,
                                               const std::vector<std::string>& tokens,
                                               const ConceptAlignmentOptions& options = {});

}  // namespace storyscope
