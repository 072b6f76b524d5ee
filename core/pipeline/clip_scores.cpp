#include "core/pipeline/clip_scores.h"

#include <ATen/ATen.h>
#include <torch/nn.h>

#include <algorithm>
#include <filesystem>

#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/clip_vision_config.h"
#include "core/config/json_fields.h"
#include "core/models/component_files.h"
#include "core/tensor/state_dict.h"

namespace storyscope {
namespace {

namespace fs = std::filesystem;

TensorMap with_prefixes(const TensorMap& all, std::initializer_list<const char*> prefixes) {
  TensorMap out;
  for (const auto& [key, value] : all)
    for (const char* p : prefixes)
      if (key.rfind(p, 0) == 0) out[key] = value;
  return out;
}

}  // namespace

std::shared_ptr<ClipScorer> ClipScorer::load(const std::string& dir) {
  const ComponentFiles files = locate_component(dir, "");
  const JsonFields config = JsonFields::from_file(files.config);
  if (!config.has("text_config") || !config.has("vision_config"))
    throw_model_error(files.config, "text_config / vision_config",
                      "a CLIP score model is a transformers CLIPModel (both sections are needed)");
  ClipTextConfig text_config = ClipTextConfig::from_json(config);
  text_config.architectures = {"CLIPTextModelWithProjection"};
  const ClipVisionConfig vision_config = ClipVisionConfig::from_json(config);

  const TensorMap all = load_component_weights(files);
  TensorMap text_weights = with_prefixes(all, {"text_model.", "text_projection."});
  drop_ignored_clip_text_keys(text_weights);
  TensorMap vision_weights = with_prefixes(all, {"vision_model.", "visual_projection."});
  vision_weights.erase("vision_model.embeddings.position_ids");
  CLIPTextModelWithProjection text(text_config);
  load_state_dict(*text, text_weights, files.folder + " (text_model)");
  CLIPVisionModelWithProjection vision(vision_config);
  load_state_dict(*vision, vision_weights, files.folder + " (vision_model)");
  text->eval();
  vision->eval();

  const fs::path tokenizer_dir = fs::exists(fs::path(files.folder) / "vocab.json")
                                     ? fs::path(files.folder)
                                     : fs::path(files.folder) / "tokenizer";
  ClipImageProcessorConfig pc;
  pc.shortest_edge = pc.crop_height = pc.crop_width = vision_config.image_size;
  if (fs::exists(fs::path(files.folder) / "preprocessor_config.json"))
    pc = ClipImageProcessorConfig::from_file(files.folder);
  return std::make_shared<ClipScorer>(vision, text, ClipTokenizer::from_folder(tokenizer_dir.string()),
                                      ClipImageProcessor(pc));
}

ClipScorer::ClipScorer(CLIPVisionModelWithProjection vision, CLIPTextModelWithProjection text,
                       ClipTokenizer tokenizer, ClipImageProcessor processor)
    : vision_(std::move(vision)),
      text_(std::move(text)),
      tokenizer_(std::move(tokenizer)),
      processor_(std::move(processor)) {}

at::Tensor ClipScorer::image_embeds(const at::Tensor& images) {
  if (!images.defined() || images.dim() != 4 || images.size(1) != 3 || !images.is_floating_point())
    throw_bad_input("CLIP scores", "images", "must be float [N, 3, H, W] in [0, 1]");
  at::NoGradGuard no_grad;
  // As a saved PNG: * 255, round half to even, clamp; then the CLIP preprocessing.
  const at::Tensor bytes = (images.to(at::kCPU, at::kFloat).clamp(0, 1) * 255)
                               .round()
                               .to(at::kByte)
                               .permute({0, 2, 3, 1})
                               .contiguous();
  std::vector<at::Tensor> pixels;
  for (std::int64_t i = 0; i < bytes.size(0); ++i) pixels.push_back(processor_.preprocess(bytes[i]));
  const at::Tensor e = vision_->forward(at::cat(pixels, 0)).image_embeds;
  return e / e.norm(2, -1, true);
}

at::Tensor ClipScorer::text_embeds(const std::vector<std::string>& prompts) {
  at::NoGradGuard no_grad;
  const auto max_len = static_cast<std::size_t>(text_->config().max_position_embeddings);
  std::vector<at::Tensor> out;
  for (const auto& prompt : prompts) {
    // One prompt at a time, unpadded: identical to a padded batch with an attention mask, since
    // the causal mask keeps padding after the end token from every position that is pooled.
    std::vector<std::int64_t> ids = tokenizer_.encode(prompt).ids;
    if (ids.size() > max_len) {
      const std::int64_t eos = ids.back();
      ids.resize(max_len);
      ids.back() = eos;
    }
    const at::Tensor e = text_->forward(at::tensor(ids, at::kLong).unsqueeze(0)).text_embeds;
    out.push_back(e / e.norm(2, -1, true));
  }
  return at::cat(out, 0);
}

double mean_pairwise_cosine(const at::Tensor& unit) {
  const auto n = unit.size(0);
  if (n < 2) throw_bad_input("CLIP scores", "images", "CLIP-I needs at least 2 frames");
  const at::Tensor sim = at::matmul(unit.to(at::kDouble), unit.to(at::kDouble).t());
  double total = 0.0;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = i + 1; j < n; ++j) total += sim[i][j].item<double>();
  return total / static_cast<double>(n * (n - 1) / 2);
}

double ClipScorer::clip_i(const at::Tensor& images) { return mean_pairwise_cosine(image_embeds(images)); }

std::vector<ClipTextScore> ClipScorer::clip_t(const at::Tensor& images,
                                              const std::vector<std::string>& prompts) {
  if (static_cast<std::int64_t>(prompts.size()) != images.size(0))
    throw_bad_input("CLIP scores", "prompts",
                    "need one prompt per image (" + std::to_string(images.size(0)) + "), got " +
                        std::to_string(prompts.size()));
  const at::Tensor img = image_embeds(images).to(at::kDouble), txt = text_embeds(prompts).to(at::kDouble);
  const at::Tensor cos = (img * txt).sum(-1);
  std::vector<ClipTextScore> out;
  for (std::int64_t i = 0; i < cos.size(0); ++i) {
    const double c = cos[i].item<double>();
    out.push_back({c, kClipScoreWeight * std::max(c, 0.0)});
  }
  return out;
}

}  // namespace storyscope
