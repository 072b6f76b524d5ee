#include "core/demo/shapes_eval.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <sstream>

#include "core/analysis/alignment.h"
#include "core/analysis/attention_views.h"
#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/common/error.h"
#include "core/models/unet/default_processors_guard.h"
#include "core/pipeline/story.h"
#include "core/pipeline/txt2img.h"
#include "core/pipeline/vanilla_frame.h"
#include "core/story/story_spec.h"

namespace storyscope {
namespace {

using shapes::CheckResult;
using shapes::ObjectMeasurement;
using shapes::WordMask;
using shapes::WordRole;

const char* kOptions = "shapes eval options";

// Scene phrases of the world's grammar ("a red star" + " " + phrase is a caption).
constexpr const char* kScenePhrases[] = {"in the sky",    "on the grass", "at night",
                                         "in the desert", "in the snow",  "underwater"};
constexpr int kScenePhraseCount = 6;

// Seeds of the three kinds of draws, kept apart so adding stories never changes the captions.
constexpr std::uint64_t kCaptionStream = 0x63617074;  // "capt"
constexpr std::uint64_t kImageStream = 0x696d6167;    // "imag"
constexpr std::uint64_t kStoryStream = 0x73746f72;    // "stor"

std::uint64_t draw(std::uint64_t& state) {
  state = shapes::mix_seed(state, 0x9e3779b97f4a7c15ULL);
  return state;
}

bool is_word_of(const std::string& w, int count, const char* (*name)(int)) {
  for (int i = 0; i < count; ++i)
    if (w == name(i)) return true;
  return false;
}

// The class of a main-object word by which attribute list it belongs to.
EvalWordClass main_word_class(const std::string& w) {
  if (is_word_of(w, shapes::kShapeCount, [](int i) { return shapes::word(shapes::Shape(i)); }))
    return EvalWordClass::Shape;
  if (is_word_of(w, shapes::kColourCount, [](int i) { return shapes::word(shapes::Colour(i)); }))
    return EvalWordClass::Colour;
  if (is_word_of(w, shapes::kSizeCount, [](int i) { return shapes::word(shapes::Size(i)); }))
    return EvalWordClass::Size;
  if (is_word_of(w, shapes::kPatternCount, [](int i) { return shapes::word(shapes::Pattern(i)); }))
    return EvalWordClass::Pattern;
  return EvalWordClass::Position;
}

shapes::ShapeObject measured_object(const ObjectMeasurement& m) {
  shapes::ShapeObject o;
  o.shape = m.shape;
  o.cx = m.cx;
  o.cy = m.cy;
  o.radius = m.radius;
  o.rotation = m.rotation;
  return o;
}

// True when the mask keeps foreground once nearest-resized to the map's grid and binarised at
// 0.5, as score_alignment does (it refuses empty masks).
bool has_foreground_on_grid(const at::Tensor& mask, std::int64_t h, std::int64_t w) {
  at::Tensor m = mask.to(at::kDouble);
  if (m.size(0) != h || m.size(1) != w)
    m = at::upsample_nearest2d(m.unsqueeze(0).unsqueeze(0), {h, w}).squeeze(0).squeeze(0);
  return (m >= 0.5).any().item<bool>();
}

void count(AttributeAccuracy& a, const std::optional<bool>& verdict) {
  if (!verdict) return;
  ++a.total;
  if (*verdict) ++a.correct;
}

// Forwards a pipeline's per-step progress with the evaluation's phase.
class PhaseObserver : public StoryObserver {
 public:
  PhaseObserver(ShapesEvalObserver* outer, ShapesEvalProgress base) : outer_(outer), base_(std::move(base)) {}
  void on_progress(const RunProgress& p) override {
    if (!outer_) return;
    ShapesEvalProgress e = base_;
    e.step = p.frame * p.total + p.step;
    e.steps = p.frames * p.total;
    outer_->on_progress(e);
  }

 private:
  ShapesEvalObserver* outer_;
  ShapesEvalProgress base_;
};

// The finest down/up cross-attention grid at this latent size (shorter side).
int finest_cross_grid(UNet2DConditionModel& unet, std::int64_t latent_h, std::int64_t latent_w,
                      const std::string& source) {
  const std::set<std::int64_t> grids = cross_attention_grids(
      unet->attention_layers(), unet->config().sample_size.value_or(0), latent_h, latent_w);
  if (grids.empty())
    throw_model_error(source, "unet down/up blocks",
                      "the UNet has no down/up cross-attention layer: word maps cannot be measured");
  return static_cast<int>(*grids.rbegin());
}

// Caption word index -> its word map, matching the tokenizer's words to the caption's
// whitespace words in order (world captions have no punctuation, so they agree one to one).
std::map<int, at::Tensor> maps_by_caption_word(const at::Tensor& maps, const std::vector<WordSpan>& spans,
                                               const std::string& caption) {
  const std::vector<shapes::CaptionWord> words = shapes::caption_words(caption);
  std::map<int, at::Tensor> out;
  std::size_t s = 0;
  for (const auto& w : words) {
    std::size_t k = s;
    while (k < spans.size() && spans[k].word != w.text) ++k;
    if (k == spans.size()) continue;  // truncated away: no map
    out[w.index] = maps[static_cast<std::int64_t>(k)];
    s = k + 1;
  }
  return out;
}

void add_alignment(ShapesEvalReport& report, const ImageScore& score) {
  for (const WordScore& w : score.words) {
    ClassAlignment& c = report.alignment[eval_word_class_name(w.word_class)];
    c.iou_sum += w.iou;
    c.ceiling_sum += w.ceiling_iou;
    c.uniform_sum += w.uniform_iou;
    ++c.words;
    if (w.word_class != EvalWordClass::Companion && w.word_class != EvalWordClass::Scene) {
      report.object_words.iou_sum += w.iou;
      report.object_words.ceiling_sum += w.ceiling_iou;
      report.object_words.uniform_sum += w.uniform_iou;
      ++report.object_words.words;
    }
  }
}

at::Tensor square_image(const at::Tensor& batch_image, const std::string& what) {
  at::Tensor img = batch_image.dim() == 4 ? batch_image[0] : batch_image;
  if (img.size(1) != img.size(2) || img.size(1) < 16)
    throw_bad_input(what, "image size",
                    "the checker reads square images of at least 16x16, the model made " +
                        std::to_string(img.size(2)) + "x" + std::to_string(img.size(1)));
  return img.to(at::kFloat).contiguous();
}

}  // namespace

const char* eval_word_class_name(EvalWordClass c) {
  switch (c) {
    case EvalWordClass::Shape:
      return "shape";
    case EvalWordClass::Colour:
      return "colour";
    case EvalWordClass::Size:
      return "size";
    case EvalWordClass::Pattern:
      return "pattern";
    case EvalWordClass::Position:
      return "position";
    case EvalWordClass::Companion:
      return "companion";
    case EvalWordClass::Scene:
      return "scene";
  }
  return "?";
}

const std::vector<std::string>& eval_techniques() {
  static const std::vector<std::string> t{"vanilla", "svr", "svr+ipca"};
  return t;
}

std::vector<WordMask> measured_word_masks(const std::string& caption, const CheckResult& check, int size) {
  at::Tensor main, companion;
  at::Tensor covered = at::zeros({size, size}, at::kFloat);
  if (check.main.found) {
    main = shapes::object_coverage(measured_object(check.main), size);
    covered = covered + main;
  }
  if (check.companion && check.companion->found) {
    // The main object is drawn on top: the companion shows where the main object leaves room.
    companion = shapes::object_coverage(measured_object(*check.companion), size) * (1 - covered);
    covered = covered + companion;
  }
  const at::Tensor background = (1 - covered).clamp(0, 1);
  std::vector<WordMask> out;
  for (const auto& w : shapes::caption_words(caption)) {
    if (w.role == WordRole::MainObject && main.defined()) out.push_back({w.text, w.index, main});
    if (w.role == WordRole::Companion && companion.defined()) out.push_back({w.text, w.index, companion});
    if (w.role == WordRole::Scene) out.push_back({w.text, w.index, background});
  }
  return out;
}

ImageScore score_image(const at::Tensor& image, const std::string& caption,
                       const std::map<int, at::Tensor>& word_maps, double tau,
                       const std::vector<WordMask>* references) {
  ImageScore score;
  score.check = shapes::check_image(image, caption);
  const int size = static_cast<int>(image.size(-1));
  const std::vector<WordMask> measured =
      references ? std::vector<WordMask>{} : measured_word_masks(caption, score.check, size);
  const std::vector<WordMask>& masks = references ? *references : measured;
  const bool main_found = score.check.main.found;
  const bool companion_found = score.check.companion && score.check.companion->found;
  for (const auto& w : shapes::caption_words(caption)) {
    if (w.role == WordRole::Function) continue;
    if (w.role == WordRole::MainObject && !main_found) continue;
    if (w.role == WordRole::Companion && !companion_found) continue;
    const auto map = word_maps.find(w.index);
    if (map == word_maps.end() || !map->second.defined()) continue;
    const auto mask =
        std::find_if(masks.begin(), masks.end(), [&](const WordMask& m) { return m.index == w.index; });
    if (mask == masks.end()) continue;
    const at::Tensor& m = map->second;
    if (!has_foreground_on_grid(mask->mask, m.size(0), m.size(1))) continue;
    WordScore ws;
    ws.word = w.text;
    ws.index = w.index;
    ws.word_class = w.role == WordRole::Scene       ? EvalWordClass::Scene
                    : w.role == WordRole::Companion ? EvalWordClass::Companion
                                                    : main_word_class(w.text);
    ws.iou = score_alignment(m, mask->mask, tau).iou;
    const at::Tensor best =
        at::adaptive_avg_pool2d(mask->mask.to(at::kFloat).unsqueeze(0), {m.size(0), m.size(1)});
    ws.ceiling_iou = score_alignment(best.squeeze(0), mask->mask, tau).iou;
    ws.uniform_iou = score_alignment(at::ones_like(m, at::kFloat), mask->mask, tau).iou;
    score.words.push_back(ws);
  }
  return score;
}

std::string eval_caption(std::uint64_t seed, int index) {
  const shapes::Scene scene =
      shapes::random_scene(shapes::mix_seed(shapes::mix_seed(seed, kCaptionStream), std::uint64_t(index)));
  return shapes::caption_text(scene.caption);
}

std::uint64_t eval_image_seed(std::uint64_t seed, int index) {
  // Txt2Img seeds go through LibTorch's mt19937, which takes 64 bits; keep them readable.
  return shapes::mix_seed(shapes::mix_seed(seed, kImageStream), std::uint64_t(index)) % 1000000007ULL;
}

EvalStory eval_story(std::uint64_t seed, int index, int min_frames, int max_frames) {
  if (min_frames < 1 || max_frames < min_frames || max_frames > kScenePhraseCount)
    throw_bad_input(kOptions, "frames",
                    "need 1 <= min_frames <= max_frames <= " + std::to_string(kScenePhraseCount) +
                        " (one scene per frame)");
  std::uint64_t state = shapes::mix_seed(shapes::mix_seed(seed, kStoryStream), std::uint64_t(index));
  EvalStory story;
  shapes::CaptionSpec spec;
  spec.colour = shapes::Colour(draw(state) % shapes::kColourCount);
  spec.shape = shapes::Shape(draw(state) % shapes::kShapeCount);
  story.identity = shapes::caption_text(spec);
  const int frames = min_frames + static_cast<int>(draw(state) % std::uint64_t(max_frames - min_frames + 1));
  // A partial Fisher-Yates shuffle of the scene phrases: distinct scenes, random order.
  std::vector<int> order(kScenePhraseCount);
  for (int i = 0; i < kScenePhraseCount; ++i) order[i] = i;
  for (int i = 0; i < frames; ++i) {
    const int j = i + static_cast<int>(draw(state) % std::uint64_t(kScenePhraseCount - i));
    std::swap(order[i], order[j]);
    story.frames.push_back(kScenePhrases[order[i]]);
  }
  story.seed = draw(state) % 1000000007ULL;
  return story;
}

ShapesEvalReport evaluate_shapes_model(const std::shared_ptr<ModelBundle>& bundle,
                                       const ShapesEvalOptions& options, ShapesEvalObserver* observer,
                                       const CancellationToken& cancel) {
  if (options.captions < 0) throw_bad_input(kOptions, "captions", "must be >= 0");
  if (options.stories < 0) throw_bad_input(kOptions, "stories", "must be >= 0");
  if (options.steps < 1) throw_bad_input(kOptions, "steps", "must be >= 1");
  if (!(options.guidance >= 0)) throw_bad_input(kOptions, "guidance", "must be >= 0");
  if (!(options.tau > 0 && options.tau < 1)) throw_bad_input(kOptions, "tau", "must be in (0, 1)");
  if (options.stories > 0)
    eval_story(options.seed, 0, options.min_frames, options.max_frames);  // checks frames

  ShapesEvalReport report;
  report.options = options;
  report.model = bundle->source();
  report.image_size = bundle->default_image_size();
  report.threads = at::get_num_threads();
  report.device = bundle->device().str();
  for (const char* a : {"scene", "colour", "shape", "size", "pattern", "position", "companion"})
    report.attributes[a] = {};
  for (int c = 0; c < kEvalWordClassCount; ++c) report.alignment[eval_word_class_name(EvalWordClass(c))] = {};

  const std::int64_t size = report.image_size;
  const std::int64_t factor = bundle->vae_scale_factor();
  if (size <= 0)
    throw_model_error(bundle->source(), "unet sample_size", "the model has no default image size");
  const std::int64_t latent = size / factor;
  Txt2Img txt2img(bundle);
  const ClipTokenizer& tokenizer = bundle->tokenizer();
  double timed_seconds = 0;
  double recorded_seconds = 0;  // fidelity runs, which also record attention

  // Fidelity and alignment: one image per random caption, cross-attention recorded.
  if (options.captions > 0) {
    report.p2p_resolution = finest_cross_grid(bundle->unet(), latent, latent, bundle->source());
    DefaultProcessorsGuard guard(bundle->unet());
    for (int i = 0; i < options.captions && !cancel.cancelled(); ++i) {
      const std::string caption = eval_caption(options.seed, i);
      const Encoding encoding = tokenizer.encode(caption);
      const std::vector<std::int64_t> ids = tokenizer.encode_padded(caption, tokenizer.model_max_length());
      std::vector<std::string> tokens(ids.size());
      for (std::size_t t = 0; t < ids.size() && t < encoding.tokens.size(); ++t)
        tokens[t] = encoding.tokens[t];
      AttentionStoreOptions so;
      so.set_prompt(ids, tokens, tokenizer.bos_id(), tokenizer.eos_id());
      so.latent_height = latent;
      so.latent_width = latent;
      so.places = {Place::Down, Place::Up};
      so.resolutions = {report.p2p_resolution};
      auto store = std::make_shared<AttentionStore>(so);
      auto processor = std::make_shared<ComposableAttentionProcessor>();
      processor->add_observer(store);
      bundle->unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });

      Txt2ImgRequest req;
      req.prompt = caption;
      req.negative = "";
      req.steps = options.steps;
      req.guidance = options.guidance;
      req.sampler = options.sampler;
      req.seed = eval_image_seed(options.seed, i);
      PhaseObserver progress(observer, {"fidelity", i, options.captions, caption, 0, 0});
      const auto start = std::chrono::steady_clock::now();
      const Txt2ImgResult r = txt2img.run(req, &progress, cancel);
      if (r.cancelled) break;
      recorded_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const at::Tensor image = square_image(r.images, bundle->source());
      if (observer) observer->on_image("fidelity", i, "", 0, caption, image);

      const AttentionRecordSet set = store->records();
      const std::vector<WordSpan> spans = word_spans(encoding, caption, store->recorded_positions());
      const at::Tensor token_maps =
          p2p_view(set, StepRange::all(), report.p2p_resolution, {Place::Down, Place::Up});
      const at::Tensor maps = word_maps(token_maps, spans, MapNorm::Max);
      const ImageScore score =
          score_image(image, caption, maps_by_caption_word(maps, spans, caption), options.tau);

      ++report.images;
      if (score.check.main.found) ++report.main_found;
      count(report.attributes["scene"], score.check.scene_ok);
      count(report.attributes["colour"], score.check.colour_ok);
      count(report.attributes["shape"], score.check.shape_ok);
      count(report.attributes["size"], score.check.size_ok);
      count(report.attributes["pattern"], score.check.pattern_ok);
      count(report.attributes["position"], score.check.position_ok);
      count(report.attributes["companion"], score.check.companion_ok);
      add_alignment(report, score);
    }
  }

  // Story consistency: the same frames alone (vanilla), with SVR, with SVR and IPCA.
  StoryPipeline story_pipeline(bundle);
  for (int s = 0; s < options.stories && !cancel.cancelled(); ++s) {
    EvalStory story = eval_story(options.seed, s, options.min_frames, options.max_frames);
    const int frames = static_cast<int>(story.frames.size());
    StorySpec spec;
    spec.identity = story.identity;
    spec.frames = story.frames;
    spec.seed = story.seed;
    spec.steps = options.steps;
    spec.guidance = options.guidance;
    spec.sampler = options.sampler;
    spec.svr_mode = SvrMode::Svr;
    bool finished = true;
    for (const std::string& technique : eval_techniques()) {
      std::vector<at::Tensor> images;
      if (technique == "vanilla") {
        for (int f = 0; f < frames && finished; ++f) {
          const Txt2ImgRequest req = vanilla_frame_request(spec, f);
          PhaseObserver progress(
              observer, {"stories", s, options.stories,
                         technique + " frame " + std::to_string(f + 1) + "/" + std::to_string(frames), 0, 0});
          const auto start = std::chrono::steady_clock::now();
          const Txt2ImgResult r = txt2img.run(req, &progress, cancel);
          if (r.cancelled) {
            finished = false;
            break;
          }
          timed_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          ++report.timed_images;
          images.push_back(square_image(r.images, bundle->source()));
        }
      } else {
        spec.ipca = technique == "svr+ipca";
        PhaseObserver progress(observer, {"stories", s, options.stories, technique, 0, 0});
        const StoryResult r = story_pipeline.run(spec, {}, &progress, cancel);
        if (r.cancelled) {
          finished = false;
          break;
        }
        if (!r.failures.empty())
          throw_model_error(bundle->source(),
                            "story " + std::to_string(s) + " frame " + std::to_string(r.failures[0].frame),
                            r.failures[0].message);
        for (const StoryFrame& f : r.frames) images.push_back(square_image(f.image, bundle->source()));
      }
      if (!finished) break;
      std::vector<ObjectMeasurement>& measured = story.measurements[technique];
      for (int f = 0; f < frames; ++f) {
        const std::string caption = vanilla_frame_prompt(spec, f);
        if (observer) observer->on_image("stories", s, technique, f, caption, images[f]);
        measured.push_back(shapes::check_image(images[f], caption).main);
      }
      story.drift[technique] = shapes::story_drift(measured);
    }
    if (!finished) break;
    report.stories.push_back(std::move(story));
  }
  report.cancelled = cancel.cancelled();

  for (const std::string& t : eval_techniques()) {
    double sum = 0;
    int n = 0;
    for (const EvalStory& s : report.stories) {
      const auto d = s.drift.find(t);
      if (d == s.drift.end() || d->second.frames < 2) continue;
      sum += d->second.total;
      ++n;
    }
    report.mean_drift[t] = n ? sum / n : 0.0;
    report.drift_stories[t] = n;
  }
  report.drift_ratio =
      report.mean_drift["vanilla"] > 0 ? report.mean_drift["svr+ipca"] / report.mean_drift["vanilla"] : 0.0;
  report.seconds_per_image = report.timed_images ? timed_seconds / report.timed_images : 0.0;
  if (report.timed_images == 0 && report.images > 0) {
    // No story ran: the fidelity runs are the only timing (an upper bound: they record attention).
    report.seconds_per_image = recorded_seconds / report.images;
    report.timed_images = report.images;
    report.timed_with_attention = true;
  }
  return report;
}

nlohmann::json to_json(const ShapesEvalReport& r) {
  using json = nlohmann::json;
  json attributes = json::object();
  for (const auto& [name, a] : r.attributes)
    attributes[name] = {{"correct", a.correct}, {"total", a.total}, {"accuracy", a.accuracy()}};
  json alignment = json::object();
  for (const auto& [name, c] : r.alignment)
    alignment[name] = {{"words", c.words},
                       {"mean_iou", c.mean_iou()},
                       {"ceiling_iou", c.mean_ceiling()},
                       {"uniform_map_iou", c.mean_uniform()}};
  json stories = json::array();
  for (const EvalStory& s : r.stories) {
    json per = json::object();
    for (const auto& [t, d] : s.drift) {
      json frames = json::array();
      for (const auto& m : s.measurements.at(t)) frames.push_back(shapes::to_json(m));
      per[t] = {{"drift", shapes::to_json(d)}, {"frames", frames}};
    }
    stories.push_back(
        {{"identity", s.identity}, {"frames", s.frames}, {"seed", s.seed}, {"techniques", per}});
  }
  json drift = json::object();
  for (const auto& [t, v] : r.mean_drift) drift[t] = {{"mean", v}, {"stories", r.drift_stories.at(t)}};
  const ShapesEvalOptions& o = r.options;
  return {{"model", r.model},
          {"image_size", r.image_size},
          {"cancelled", r.cancelled},
          {"options",
           {{"captions", o.captions},
            {"stories", o.stories},
            {"min_frames", o.min_frames},
            {"max_frames", o.max_frames},
            {"steps", o.steps},
            {"sampler", o.sampler},
            {"guidance", o.guidance},
            {"seed", o.seed},
            {"tau", o.tau}}},
          {"fidelity", {{"images", r.images}, {"main_found", r.main_found}, {"attributes", attributes}}},
          {"alignment",
           {{"view", "p2p"},
            {"resolution", r.p2p_resolution},
            {"tau", o.tau},
            {"classes", alignment},
            {"object_words",
             {{"words", r.object_words.words},
              {"mean_iou", r.object_words.mean_iou()},
              {"ceiling_iou", r.object_words.mean_ceiling()},
              {"uniform_map_iou", r.object_words.mean_uniform()}}}}},
          {"stories",
           {{"mean_drift", drift}, {"ratio_svr_ipca_to_vanilla", r.drift_ratio}, {"stories", stories}}},
          {"time",
           {{"seconds_per_image", r.seconds_per_image},
            {"images", r.timed_images},
            {"with_attention_recording", r.timed_with_attention},
            {"threads", r.threads},
            {"device", r.device}}}};
}

std::string to_markdown(const ShapesEvalReport& r) {
  std::ostringstream md;
  char buf[64];
  const auto pct = [&](const AttributeAccuracy& a) {
    if (!a.total) return std::string("–");
    std::snprintf(buf, sizeof buf, "%.1f%% (%d/%d)", 100.0 * a.accuracy(), a.correct, a.total);
    return std::string(buf);
  };
  const auto num = [&](double v) {
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return std::string(buf);
  };
  const ShapesEvalOptions& o = r.options;
  md << "Model `" << r.model << "`, " << r.image_size << "x" << r.image_size << ", " << o.steps << " "
     << o.sampler << " steps, CFG " << o.guidance << ", seed " << o.seed
     << (r.cancelled ? " (cancelled)" : "") << ".\n\n";
  md << "| Attribute | Accuracy |\n|---|---|\n";
  for (const char* a : {"scene", "colour", "shape", "size", "pattern", "position", "companion"})
    md << "| " << a << " | " << pct(r.attributes.at(a)) << " |\n";
  md << "\nOver " << r.images << " captions; main object found in " << r.main_found << ".\n\n";
  md << "| Word class | Mean IoU (p2p " << r.p2p_resolution << "x" << r.p2p_resolution << ", tau " << o.tau
     << ") | Uniform map | Ceiling at this grid | Words |\n|---|---|---|---|---|\n";
  for (int c = 0; c < kEvalWordClassCount; ++c) {
    const char* name = eval_word_class_name(EvalWordClass(c));
    const ClassAlignment& a = r.alignment.at(name);
    md << "| " << name << " | " << (a.words ? num(a.mean_iou()) : "–") << " | "
       << (a.words ? num(a.mean_uniform()) : "–") << " | " << (a.words ? num(a.mean_ceiling()) : "–") << " | "
       << a.words << " |\n";
  }
  const ClassAlignment& ow = r.object_words;
  md << "| all main-object words | " << (ow.words ? num(ow.mean_iou()) : "–") << " | "
     << (ow.words ? num(ow.mean_uniform()) : "–") << " | " << (ow.words ? num(ow.mean_ceiling()) : "–")
     << " | " << ow.words << " |\n\n";
  md << "| Story technique | Mean identity drift | Stories |\n|---|---|---|\n";
  for (const std::string& t : eval_techniques())
    md << "| " << t << " | " << num(r.mean_drift.count(t) ? r.mean_drift.at(t) : 0) << " | "
       << (r.drift_stories.count(t) ? r.drift_stories.at(t) : 0) << " |\n";
  md << "\nsvr+ipca / vanilla drift: " << num(r.drift_ratio) << ".\n\n";
  std::snprintf(buf, sizeof buf, "%.2f", r.seconds_per_image);
  md << "One image: " << buf << " s (" << o.steps << " steps, CFG, " << r.threads << " threads, " << r.device
     << ", mean of " << r.timed_images << ").\n";
  return md.str();
}

}  // namespace storyscope
