#pragma once
// Break-A-Scene measured in the shapes world (issue #9's benchmark): for each of N two-object
// scenes (a big main object and a small companion, attributes drawn from the seed), extract one
// token per object from the rendered image and its exact masks, then generate each token in new
// scenes ("<asset0> in the snow", backgrounds other than the source's) and read the images back
// with the shapes checker: does the object keep the source object's colour, shape and pattern?
// The same prompts with the initializer word instead of the token ("a circle in the snow") are
// the baseline: what the word alone gives. Also the IoU of each token's p2p map with its mask on
// the source image, before and after training (concept_alignment).
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/demo/shapes_world.h"
#include "core/pipeline/run_observer.h"
#include "core/training/concept_extractor.h"

namespace storyscope::shapes {

struct ConceptBenchOptions {
  int scenes = 10;
  std::uint64_t seed = 0;
  ConceptExtractionOptions extraction;  // init_words are set per scene (the objects' shape words)
  int new_scenes = 3;                   // backgrounds per token, never the source's
  int seeds_per_scene = 2;              // images per (token, background)
  int steps = 30;                       // DDIM steps of each generated image
  double guidance = 2.0;
  bool baseline = true;  // also generate with the initializer word alone
  int image_size = 32;   // the model's size
};

// A two-object scene for the benchmark: main object big, with a pattern drawn, and a companion of
// another colour and shape. Deterministic in (seed, index).
Scene concept_bench_scene(std::uint64_t seed, int index);

struct AttributeHits {
  int images = 0, found = 0, colour = 0, shape = 0, pattern = 0;
  void add(const AttributeHits& o);
  nlohmann::json to_json() const;  // counts and rates (over images; a missing object is a miss)
};

struct ConceptBenchToken {
  std::string token;
  std::string init_word;
  ShapeObject source;  // the object it was extracted from
  AttributeHits with_token, baseline;
  double iou_before = 0, iou_after = 0, mse_before = 0, mse_after = 0;
};

struct ConceptBenchScene {
  int index = 0;
  std::string caption;  // the source scene's caption
  std::vector<ConceptBenchToken> tokens;
  double extraction_seconds = 0;
  ConceptStepLosses first_losses, last_losses;  // first and last training steps
};

struct ConceptBenchReport {
  std::vector<ConceptBenchScene> scenes;
  AttributeHits with_token, baseline;
  double iou_before = 0, iou_after = 0;  // means over tokens
  double mean_extraction_seconds = 0, max_extraction_seconds = 0;
  bool cancelled = false;
  nlohmann::json to_json() const;
};

// `model_dir`: the demo model's folder (loaded afresh, float32, for every scene). `log` gets one
// line per finished piece of work. Cancellation is checked between steps and images.
ConceptBenchReport run_concept_bench(const std::string& model_dir, const ConceptBenchOptions& options,
                                     const std::function<void(const std::string&)>& log = {},
                                     const CancellationToken& cancel = CancellationToken());

}  // namespace storyscope::shapes
