#pragma once
// CLIP scores of generated images, as story papers (ConsiStory, 1Prompt1Story) report them,
// from a transformers CLIPModel folder (config.json with text_config + vision_config,
// model.safetensors with text_model.*, vision_model.*, text_projection, visual_projection,
// the tokenizer files there or in tokenizer/, preprocessor_config.json optional).
//
// Scaling, stated once:
//  - CLIP-I (identity consistency) = the mean over all frame pairs i < j of the cosine of
//    their image embeddings: 1 for identical frames, no factor.
//  - CLIP-T (prompt alignment) = 2.5 * max(cos(image embeds, text embeds), 0), Hessel et al.'s
//    CLIPScore with w = 2.5, the scale in which these tables print values near 0.9. The raw
//    cosine is returned too (multiply by 100 for torchmetrics' CLIPScore).
#include <ATen/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "core/models/vision/clip_image_processor.h"
#include "core/models/vision/clip_vision_model.h"
#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"

namespace storyscope {

constexpr double kClipScoreWeight = 2.5;  // CLIPScore's w

struct ClipTextScore {
  double cosine = 0.0;
  double clip_t = 0.0;  // kClipScoreWeight * max(cosine, 0)
};

class ClipScorer {
 public:
  // Errors name the folder and the missing piece (weights, tokenizer, config sections).
  static std::shared_ptr<ClipScorer> load(const std::string& dir);
  ClipScorer(CLIPVisionModelWithProjection vision, CLIPTextModelWithProjection text, ClipTokenizer tokenizer,
             ClipImageProcessor processor);

  // images: float [N, 3, H, W] in [0, 1] (what the pipelines return), rounded to 8 bits as a
  // saved PNG is, then CLIP-preprocessed. Returns unit-length image embeds [N, projection_dim].
  at::Tensor image_embeds(const at::Tensor& images);
  // Unit-length text embeds [N, projection_dim]; prompts longer than 77 tokens are truncated
  // (bos + 75 tokens + eos) as CLIPProcessor(truncation=True) does.
  at::Tensor text_embeds(const std::vector<std::string>& prompts);

  // Mean pairwise cosine of the frames' image embeds; needs at least 2 frames.
  double clip_i(const at::Tensor& images);
  // One score per frame against its prompt (prompts.size() == frames).
  std::vector<ClipTextScore> clip_t(const at::Tensor& images, const std::vector<std::string>& prompts);

 private:
  CLIPVisionModelWithProjection vision_;
  CLIPTextModelWithProjection text_;
  ClipTokenizer tokenizer_;
  ClipImageProcessor processor_;
};

// The mean over pairs i < j of rows i, j of unit vectors [N, D] (their cosine).
double mean_pairwise_cosine(const at::Tensor& unit_embeds);

}  // namespace storyscope
