#include "core/demo/shapes_concepts.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>

#include "core/demo/shapes_checker.h"
#include "core/demo/shapes_rng.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "core/training/concept_alignment.h"

namespace storyscope::shapes {

namespace {

using json = nlohmann::json;

double rate(int hits, int total) { return total ? static_cast<double>(hits) / total : 0.0; }

// The backgrounds a token is generated in: the first `count` after the source's, in world order.
std::vector<Background> new_backgrounds(Background source, int count) {
  std::vector<Background> out;
  for (int k = 1; k < kBackgroundCount && static_cast<int>(out.size()) < count; ++k)
    out.push_back(static_cast<Background>((static_cast<int>(source) + k) % kBackgroundCount));
  return out;
}

// "a circle in the snow": what the checker is told (the shape word only, so the component it
// reads is not chosen by an expected colour).
std::string check_caption(Shape shape, Background background) {
  CaptionSpec spec;
  spec.shape = shape;
  spec.background = background;
  return caption_text(spec);
}

// " in the snow": what follows the object in "a <asset0> in the snow" / "a circle in the snow": the scene
// phrase of caption_text after the object.
std::string scene_phrase(Background background) {
  CaptionSpec spec;
  spec.shape = Shape::Circle;
  const std::string bare = caption_text(spec);
  spec.background = background;
  return caption_text(spec).substr(bare.size());
}

AttributeHits check_generated(const at::Tensor& image, const ShapeObject& source, Background background) {
  AttributeHits h;
  h.images = 1;
  const CheckResult r = check_image(image, check_caption(source.shape, background));
  if (!r.main.found) return h;
  h.found = 1;
  h.colour = r.main.colour == source.colour;
  h.shape = r.main.shape == source.shape;
  h.pattern = r.main.pattern == source.pattern;
  return h;
}

}  // namespace

void AttributeHits::add(const AttributeHits& o) {
  images += o.images;
  found += o.found;
  colour += o.colour;
  shape += o.shape;
  pattern += o.pattern;
}

json AttributeHits::to_json() const {
  return json{{"images", images},
              {"found", rate(found, images)},
              {"colour", rate(colour, images)},
              {"shape", rate(shape, images)},
              {"pattern", rate(pattern, images)}};
}

Scene concept_bench_scene(std::uint64_t seed, int index) {
  Rng rng(mix_seed(seed, 0xB5CE0000ULL + static_cast<std::uint64_t>(index)));
  CaptionSpec spec;
  spec.shape = static_cast<Shape>(rng.below(kShapeCount));
  spec.colour = static_cast<Colour>(rng.below(kColourCount));
  spec.size = Size::Big;
  spec.pattern = static_cast<Pattern>(rng.below(kPatternCount));
  spec.position = rng.chance(0.5) ? Position::Left : Position::Right;
  spec.background = static_cast<Background>(rng.below(kBackgroundCount));
  // Another colour and shape, so the two tokens have different initializer words and the masks
  // tell two different objects apart.
  const int dc = 1 + rng.below(kColourCount - 1), ds = 1 + rng.below(kShapeCount - 1);
  spec.companion =
      CaptionSpec::Companion{static_cast<Colour>((static_cast<int>(*spec.colour) + dc) % kColourCount),
                             static_cast<Shape>((static_cast<int>(spec.shape) + ds) % kShapeCount)};
  return scene_from_spec(spec, mix_seed(seed, 0x5CE0ULL + static_cast<std::uint64_t>(index)));
}

json ConceptBenchReport::to_json() const {
  json scenes_json = json::array();
  for (const auto& s : scenes) {
    json tokens = json::array();
    for (const auto& t : s.tokens)
      tokens.push_back(json{{"token", t.token},
                            {"init_word", t.init_word},
                            {"source",
                             {{"colour", word(t.source.colour)},
                              {"shape", word(t.source.shape)},
                              {"pattern", word(t.source.pattern)}}},
                            {"with_token", t.with_token.to_json()},
                            {"baseline", t.baseline.to_json()},
                            {"iou_before", t.iou_before},
                            {"iou_after", t.iou_after},
                            {"mse_before", t.mse_before},
                            {"mse_after", t.mse_after}});
    scenes_json.push_back(json{
        {"index", s.index},
        {"caption", s.caption},
        {"extraction_seconds", s.extraction_seconds},
        {"first_loss", {{"diffusion", s.first_losses.diffusion}, {"attention", s.first_losses.attention}}},
        {"last_loss", {{"diffusion", s.last_losses.diffusion}, {"attention", s.last_losses.attention}}},
        {"tokens", tokens}});
  }
  return json{{"scenes", scenes_json},
              {"with_token", with_token.to_json()},
              {"baseline", baseline.to_json()},
              {"iou_before", iou_before},
              {"iou_after", iou_after},
              {"mean_extraction_seconds", mean_extraction_seconds},
              {"max_extraction_seconds", max_extraction_seconds},
              {"cancelled", cancelled}};
}

ConceptBenchReport run_concept_bench(const std::string& model_dir, const ConceptBenchOptions& options,
                                     const std::function<void(const std::string&)>& log,
                                     const CancellationToken& cancel) {
  const auto say = [&](const std::string& line) {
    if (log) log(line);
  };
  ConceptBenchReport report;
  int tokens_scored = 0;
  for (int i = 0; i < options.scenes && !report.cancelled; ++i) {
    const Scene scene = concept_bench_scene(options.seed, i);
    const Render render_out = render(scene, options.image_size);
    ConceptImage input;
    input.image = (render_out.image * 2 - 1).unsqueeze(0);
    input.masks = at::stack({render_out.coverage[0], render_out.coverage[1]}, 0);
    input.source = "scene " + std::to_string(i);

    ConceptExtractionOptions xo = options.extraction;
    xo.init_words = {word(scene.objects[0].shape), word(scene.objects[1].shape)};
    xo.seed = mix_seed(options.extraction.seed, static_cast<std::uint64_t>(i));
    auto bundle = ModelBundle::load_diffusers_folder(model_dir);
    ConceptExtractor extractor(bundle, input, xo);

    ConceptBenchScene result;
    result.index = i;
    result.caption = caption_text(scene.caption);
    std::vector<ConceptBenchToken> tokens(2);
    const auto before = concept_alignment(*bundle, input.image, input.masks, extractor.tokens());
    const auto start = std::chrono::steady_clock::now();
    bool first = true;
    const ExtractionResult run = extractor.run(
        [&](const ExtractionProgress& p) {
          if (first) result.first_losses = p.losses;
          first = false;
        },
        cancel);
    result.extraction_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.last_losses = run.last;
    if (run.cancelled) {
      report.cancelled = true;
      break;
    }
    const auto after = concept_alignment(*bundle, input.image, input.masks, extractor.tokens());
    say("scene " + std::to_string(i) + " \"" + result.caption + "\": extracted in " +
        std::to_string(static_cast<int>(result.extraction_seconds)) + " s");

    Txt2Img txt2img(bundle);
    for (int k = 0; k < 2 && !report.cancelled; ++k) {
      ConceptBenchToken& t = tokens[k];
      t.token = extractor.tokens()[k];
      t.init_word = xo.init_words[k];
      t.source = scene.objects[k];
      t.iou_before = before[k].iou;
      t.iou_after = after[k].iou;
      t.mse_before = before[k].mse;
      t.mse_after = after[k].mse;
      for (Background bg : new_backgrounds(scene.background, options.new_scenes))
        for (int s = 0; s < options.seeds_per_scene; ++s) {
          for (bool baseline : {false, true}) {
            if (baseline && !options.baseline) continue;
            Txt2ImgRequest req;
            req.prompt = "a " + (baseline ? t.init_word : t.token) + scene_phrase(bg);
            req.negative = "";
            req.steps = options.steps;
            req.guidance = options.guidance;
            req.sampler = "ddim";
            req.seed =
                mix_seed(options.seed ^ 0xC0DE,
                         static_cast<std::uint64_t>(i * 1000 + k * 100 + s * 10 + static_cast<int>(bg)));
            const Txt2ImgResult r = txt2img.run(req, nullptr, cancel);
            if (r.cancelled) {
              report.cancelled = true;
              break;
            }
            (baseline ? t.baseline : t.with_token).add(check_generated(r.images[0], t.source, bg));
          }
        }
      report.with_token.add(t.with_token);
      report.baseline.add(t.baseline);
      report.iou_before += t.iou_before;
      report.iou_after += t.iou_after;
      ++tokens_scored;
      say("  " + t.token + " (" + word(t.source.colour) + " " + word(t.source.pattern) + " " + t.init_word +
          "): colour " + std::to_string(t.with_token.colour) + "/" + std::to_string(t.with_token.images) +
          " (word alone " + std::to_string(t.baseline.colour) + "), IoU " + std::to_string(t.iou_before) +
          " -> " + std::to_string(t.iou_after));
    }
    result.tokens = tokens;
    report.scenes.push_back(result);
  }
  if (tokens_scored) {
    report.iou_before /= tokens_scored;
    report.iou_after /= tokens_scored;
  }
  for (const auto& s : report.scenes) {
    report.mean_extraction_seconds += s.extraction_seconds / static_cast<double>(report.scenes.size());
    report.max_extraction_seconds = std::max(report.max_extraction_seconds, s.extraction_seconds);
  }
  return report;
}

}  // namespace storyscope::shapes
