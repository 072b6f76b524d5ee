#pragma once
// The measurement of a shapes-world model (issue 6 item 6): how often generated images show what
// their caption states (per attribute, read back by the checker), how well each word's
// cross-attention (the p2p view) covers the pixels that word refers to, how much the identity
// object drifts across the frames of a story with and without 1Prompt1Story, and how long one
// image takes here.
//
// Generated images have no ground-truth masks, so the reference mask of a word is built from the
// checker's measurement of the image: the measured object redrawn with its measured geometry
// (object_coverage) for object words, the pixels no measured object covers for the scene word.
// The scorer (score_image) takes the image, the caption and one map per word, so ground-truth
// renders with their exact masks as "attention" prove it end to end.
#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/demo/shapes_checker.h"
#include "core/demo/shapes_world.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/run_observer.h"

namespace storyscope {

// What an object word of a caption describes (function words have no class).
enum class EvalWordClass { Shape, Colour, Size, Pattern, Position, Companion, Scene };
inline constexpr int kEvalWordClassCount = 7;
const char* eval_word_class_name(EvalWordClass c);  // "shape", "colour", ..., "companion", "scene"

struct WordScore {
  std::string word;
  int index = 0;  // position among the caption's whitespace-separated words
  EvalWordClass word_class = EvalWordClass::Shape;
  double iou = 0;  // IoU of (map / max map >= tau) with the reference mask (core/analysis/alignment.h)
  // The same score for the best map this grid can hold: the reference mask itself averaged down to
  // the map's grid. Coarse grids cannot reach 1 on small objects; this is what `iou` compares with.
  double ceiling_iou = 0;
  // The same score for a uniform map (every cell >= tau): the share of the grid the mask covers
  // joined with it. A model whose attention is flat reaches this, so it is the floor to beat.
  double uniform_iou = 0;
};

struct ImageScore {
  shapes::CheckResult check;
  // Scored words only: main-object words when the checker found the main object, companion words
  // when it found the companion, the scene word always (a word whose reference mask is empty at
  // the map's grid is left out).
  std::vector<WordScore> words;
};

// Reference masks [size, size] from the checker's measurement: main-object words -> the measured
// main object redrawn with its measured shape, centre, radius and rotation; companion words -> the
// measured companion minus what the main object (drawn on top) hides; the scene word -> the rest.
// Words of an object that was not found are left out; function words too.
std::vector<shapes::WordMask> measured_word_masks(const std::string& caption,
                                                  const shapes::CheckResult& check, int size);

// Checks `image` ([3, H, W] in [0, 1], H == W >= 16) against `caption` and scores `word_maps`
// (caption word index -> [h, w] map, any grid) against `references` (default: the measured masks
// above) at IoU threshold `tau`. Words without a map or a reference are not scored.
ImageScore score_image(const at::Tensor& image, const std::string& caption,
                       const std::map<int, at::Tensor>& word_maps, double tau = 0.4,
                       const std::vector<shapes::WordMask>* references = nullptr);

struct ShapesEvalOptions {
  int captions = 200;  // random captions for fidelity and alignment
  int stories = 20;
  int min_frames = 4, max_frames = 6;  // frames per story, drawn uniformly
  int steps = 30;
  std::string sampler = "ddim";
  // Low: a pixel-space model this small over-saturates and loses its object above CFG ~3 (on the
  // demo model at step 7,526, CFG 2 vs 5: colour 95.5% vs 65.9%, object-word IoU 0.37 vs 0.31).
  double guidance = 2.0;
  std::uint64_t seed = 0;  // selects captions, stories and the generation seeds
  double tau = 0.4;
};

struct AttributeAccuracy {
  int correct = 0;
  int total = 0;  // images whose caption states the attribute
  double accuracy() const { return total ? static_cast<double>(correct) / total : 0.0; }
};

struct ClassAlignment {
  double iou_sum = 0;
  double ceiling_sum = 0;
  double uniform_sum = 0;
  int words = 0;  // scored words of the class
  double mean_iou() const { return words ? iou_sum / words : 0.0; }
  double mean_ceiling() const { return words ? ceiling_sum / words : 0.0; }
  double mean_uniform() const { return words ? uniform_sum / words : 0.0; }
};

// One story as the evaluation ran it, with the main object's measurement in every frame.
struct EvalStory {
  std::string identity;
  std::vector<std::string> frames;  // frame phrases; frame k's caption is identity + " " + frames[k]
  std::uint64_t seed = 0;
  // Per technique ("vanilla", "svr", "svr+ipca"): the measurements and the drift over them.
  std::map<std::string, std::vector<shapes::ObjectMeasurement>> measurements;
  std::map<std::string, shapes::StoryDrift> drift;
};

struct ShapesEvalReport {
  ShapesEvalOptions options;
  std::string model;  // the bundle's source
  std::int64_t image_size = 0;
  // Grid of the p2p view the IoU was computed on: the finest down/up cross-attention grid (not
  // Prompt-to-Prompt's 16 when a finer one exists: small pixel-space models have 32x32 layers,
  // and a 16x16 map caps the IoU of small objects: perfect 16x16 maps of the world's true masks
  // score about 0.75 at tau 0.4, see test_shapes_eval).
  int p2p_resolution = 0;
  bool cancelled = false;

  // Fidelity over the caption images.
  int images = 0;
  int main_found = 0;
  std::map<std::string, AttributeAccuracy>
      attributes;  // scene, colour, shape, size, pattern, position, companion
  // Alignment: mean IoU per word class, and over every main-object word.
  std::map<std::string, ClassAlignment> alignment;
  ClassAlignment object_words;

  // Story consistency.
  std::vector<EvalStory> stories;
  std::map<std::string, double> mean_drift;  // per technique, over stories with >= 2 measured frames
  std::map<std::string, int> drift_stories;  // how many stories entered each mean
  double drift_ratio = 0;  // mean_drift["svr+ipca"] / mean_drift["vanilla"] (0 if undefined)

  // Time for one image (steps, CFG), without attention recording, on this machine.
  double seconds_per_image = 0;
  int timed_images = 0;
  bool timed_with_attention = false;  // no story ran: timed on the fidelity runs, which record attention
  int threads = 0;
  std::string device;
};

// The techniques of the story comparison, in report order.
const std::vector<std::string>& eval_techniques();

struct ShapesEvalProgress {
  std::string phase;  // "fidelity" or "stories"
  int item = 0;       // 0-based caption or story
  int items = 0;
  std::string detail;  // e.g. "svr+ipca frame 3/5"
  int step = 0, steps = 0;
};

class ShapesEvalObserver {
 public:
  virtual ~ShapesEvalObserver() = default;
  virtual void on_progress(const ShapesEvalProgress&) {}
  // Every generated image with its caption, for callers that keep them (phase as above,
  // technique "" for fidelity images).
  virtual void on_image(const std::string& phase, int item, const std::string& technique, int frame,
                        const std::string& caption, const at::Tensor& image) {}
};

// The identity and frames of story `index` (deterministic from the seed): identity "a <colour>
// <shape>", 4-6 distinct scene phrases ("in the snow", "at night", ...).
EvalStory eval_story(std::uint64_t seed, int index, int min_frames, int max_frames);
// The caption of fidelity image `index`.
std::string eval_caption(std::uint64_t seed, int index);
// Generation seed of fidelity image `index` (stories use EvalStory::seed).
std::uint64_t eval_image_seed(std::uint64_t seed, int index);

// Throws Error(BadInput) naming the option for invalid options, or a model whose images are not
// square. A cancelled evaluation returns what it finished, with cancelled set.
ShapesEvalReport evaluate_shapes_model(const std::shared_ptr<ModelBundle>& bundle,
                                       const ShapesEvalOptions& options = {},
                                       ShapesEvalObserver* observer = nullptr,
                                       const CancellationToken& cancel = CancellationToken());

nlohmann::json to_json(const ShapesEvalReport& report);
// Tables for docs/benchmarks.md and the model card.
std::string to_markdown(const ShapesEvalReport& report);

}  // namespace storyscope
