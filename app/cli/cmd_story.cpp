// storyscope-cli story: a consistent story (1Prompt1Story) from a story.json: frames, strip,
// GIF/MP4 and the settings in an output folder; --attention adds per-frame records and
// heatmaps, --ablate renders the same story under off / npr / svr / svr+ipca side by side, and
// --dump-embeddings writes the SVR inputs and outputs for checking outside StoryScope.
#include <ATen/ATen.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "app/cli/ip_adapter_args.h"
#include "app/cli/model_args.h"
#include "app/cli/progress_bar.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/pipeline/clip_scores.h"
#include "core/pipeline/memory_estimate.h"
#include "core/pipeline/story.h"
#include "core/pipeline/story_dump.h"
#include "core/story/story_spec.h"
#ifdef STORYSCOPE_HAS_IMAGING
#include "core/analysis/attention_views.h"
#include "core/attention/records_file.h"
#include "core/imaging/heatmap.h"
#include "core/imaging/image_tensor.h"
#include "core/imaging/png_metadata.h"
#include "core/imaging/story_export.h"
#include "core/imaging/story_folder.h"
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace storyscope;

namespace {

class CliStoryObserver : public StoryObserver {
 public:
  explicit CliStoryObserver(CancellationToken token, std::string label = "step")
      : token_(std::move(token)), bar_(std::move(label)) {}
  void on_progress(const RunProgress& p) override {
    bar_.update(p.step, p.total, "frame " + std::to_string(p.frame + 1) + "/" + std::to_string(p.frames));
    if (cli::interrupted()) token_.cancel();
  }
  void on_frame_failed(const StoryFailure& f) override {
    std::cerr << "\nframe " << f.frame << " failed: " << f.message << "\n";
  }
  void finish() { bar_.finish(); }

 private:
  CancellationToken token_;
  cli::ProgressBar bar_;
};

std::vector<int> parse_frame_list(const std::string& text) {
  std::vector<int> frames;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      std::size_t used = 0;
      const int v = std::stoi(item, &used);
      if (used != item.size() || v < 0) throw std::invalid_argument(item);
      frames.push_back(v);
    } catch (const std::exception&) {
      throw_bad_input("", "--frames", "\"" + item + "\" is not a frame index (use e.g. 0,2,3)");
    }
  }
  return frames;
}

// Command-line settings override the file's, so one story file serves quick and full runs.
void apply_overrides(const cli::Args& args, StorySpec& spec) {
  if (args.get("steps")) spec.steps = static_cast<int>(args.get_int("steps", spec.steps));
  if (args.get("seed")) spec.seed = static_cast<std::uint64_t>(args.get_int("seed", 0));
  if (args.get("guidance")) spec.guidance = args.get_double("guidance", spec.guidance);
  if (auto s = args.get("sampler")) spec.sampler = *s;
  if (args.get("width")) spec.width = args.get_int("width", 0);
  if (args.get("height")) spec.height = args.get_int("height", 0);
}

#ifdef STORYSCOPE_HAS_IMAGING

std::string technique_label(const StorySpec& spec) {
  std::string label = svr_mode_name(spec.svr_mode);
  if (spec.ipca) label += "+ipca";
  return label;
}

std::vector<StoryFolderFrame> folder_frames(const StorySpec& spec, const StoryResult& result,
                                            const ModelBundle& bundle) {
  std::vector<StoryFolderFrame> frames;
  for (const StoryFrame& f : result.frames) {
    StoryFolderFrame out;
    out.index = f.index;
    out.image = image_from_tensor(f.image[0], ValueRange::ZeroToOne);
    GenerationParameters& p = out.parameters;
    p.prompt = f.prompt;
    p.negative_prompt = spec.negative;
    p.steps = spec.steps;
    p.sampler = a1111_sampler_name(result.scheduler);
    p.cfg_scale = spec.guidance;
    p.seed = spec.seed;
    p.width = static_cast<int>(result.width);
    p.height = static_cast<int>(result.height);
    p.model = fs::path(bundle.source()).filename().string();
    p.extra["Story frame"] = std::to_string(f.index) + " of " + std::to_string(spec.frames.size());
    p.extra["Story technique"] = technique_label(spec);
    p.extra["Story window"] = std::to_string(result.window_size);
    json window = json::array();
    for (const int w : f.window) window.push_back(w);
    out.settings = {{"story", story_to_json(spec)},
                    {"frame", f.index},
                    {"window", window},
                    {"window_size", result.window_size},
                    {"prompt", f.prompt},
                    {"model", fs::absolute(bundle.source()).string()},
                    {"scheduler", result.scheduler}};
    frames.push_back(std::move(out));
  }
  return frames;
}

// Per-frame attention: records and a grid of word heatmaps over the frame (DAAM view: every
// layer upsampled and summed, so it needs no resolution choice).
void write_frame_attention(const fs::path& out, const StoryFrame& f, const ModelBundle& bundle) {
  const fs::path dir = out / ("frame_" + std::string(f.index < 10 ? "0" : "") + std::to_string(f.index));
  save_attention_records(f.records, dir.string());
  const Encoding enc = bundle.tokenizer().encode(f.prompt);
  std::vector<std::int64_t> positions;
  for (std::int64_t i = 1; i + 1 < static_cast<std::int64_t>(enc.ids.size()); ++i) positions.push_back(i);
  const std::vector<WordSpan> spans = word_spans(enc, f.prompt, positions);
  const at::Tensor maps = daam_word_view(f.records, spans, StepRange::all());
  const RgbImage image = image_from_tensor(f.image[0], ValueRange::ZeroToOne);
  std::vector<RgbImage> tiles;
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    tiles.push_back(overlay(image, maps[static_cast<std::int64_t>(i)].clamp(0, 1), Colormap::Turbo, 0.55));
    labels.push_back(spans[i].word);
  }
  if (!tiles.empty()) write_png((dir / "heatmaps.png").string(), token_grid(tiles, labels));
  for (const auto& w : f.attention_warnings) std::cerr << "frame " << f.index << ": " << w << "\n";
}

struct Rendered {
  StoryResult result;
  bool interrupted = false;
};

Rendered render(StoryPipeline& pipeline, const StorySpec& spec, const StoryRunOptions& options,
                const std::string& label) {
  CancellationToken token;
  CliStoryObserver observer(token, label);
  Rendered r;
  r.result = pipeline.run(spec, options, &observer, token);
  observer.finish();
  r.interrupted = r.result.cancelled;
  return r;
}

int write_outputs(const fs::path& out, const StorySpec& spec, const Rendered& r, const ModelBundle& bundle,
                  bool attention) {
  const auto frames = folder_frames(spec, r.result, bundle);
  StoryFolderOptions fo;
  fo.animation = !r.interrupted;
  for (const auto& path : write_story_folder(out.string(), frames, story_to_json(spec), fo))
    std::cout << path << "\n";
  if (attention)
    for (const StoryFrame& f : r.result.frames) write_frame_attention(out, f, bundle);
  return 0;
}

// --clip-model DIR (a transformers CLIPModel folder): CLIP-I over the finished frames and
// CLIP-T of each frame against its identity + frame prompt, to clip_scores.json and stderr.
void write_clip_scores(const fs::path& out, const StorySpec& spec, const StoryResult& result,
                       const std::string& model) {
  if (result.frames.empty()) return;
  const auto scorer = ClipScorer::load(model);
  std::vector<at::Tensor> images;
  std::vector<std::string> prompts;
  for (const StoryFrame& f : result.frames) {
    images.push_back(f.image);
    prompts.push_back(spec.identity + " " + spec.frames[static_cast<std::size_t>(f.index)]);
  }
  const at::Tensor batch = at::cat(images, 0);
  json doc;
  doc["model"] = model;
  doc["scaling"] =
      "clip_i: mean over frame pairs of the cosine of CLIP image embeds; clip_t: 2.5 * max(cosine, 0) "
      "of image and prompt embeds (CLIPScore, w = 2.5), cosine also given";
  if (images.size() >= 2) doc["clip_i"] = scorer->clip_i(batch);
  const std::vector<ClipTextScore> scores = scorer->clip_t(batch, prompts);
  json frames = json::array();
  double total = 0.0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    frames.push_back({{"frame", result.frames[i].index},
                      {"prompt", prompts[i]},
                      {"clip_t", scores[i].clip_t},
                      {"cosine", scores[i].cosine}});
    total += scores[i].clip_t;
  }
  doc["clip_t"] = total / static_cast<double>(scores.size());
  doc["frames"] = std::move(frames);
  write_file_atomically((out / "clip_scores.json").string(), doc.dump(1) + "\n");
  std::cerr << "CLIP-T " << doc["clip_t"].get<double>();
  if (doc.contains("clip_i")) std::cerr << ", CLIP-I " << doc["clip_i"].get<double>();
  std::cerr << " (clip_scores.json)\n";
}

#endif

int cmd_story(int argc, char** argv) {
  cli::Args args(
      argc, argv,
      cli::with_ip_adapter_flags({"model", "tokenizer", "config-from", "dtype", "out", "dump-embeddings",
                                  "frames", "batch", "steps", "seed", "guidance", "sampler", "width",
                                  "height", "clip-model", "concepts"}),
      {"attention", "ablate", "no-memory-check"});
  if (args.positional().size() != 1)
    throw_bad_input("", "story",
                    "give exactly one story file (storyscope-cli story story.json [--model M] --out DIR)");
  const std::string story_path = args.positional().front();
  StorySpec spec = read_story_file(story_path);
  apply_overrides(args, spec);
  validate_story(spec, story_path);
  const auto out_dir = args.get("out");
  const auto dump_path = args.get("dump-embeddings");
  if (!out_dir && !dump_path) throw_bad_input("", "--out", "required (or --dump-embeddings FILE alone)");

  cli::install_interrupt_handler();
  auto bundle = cli::load_model_from_args(args);
  if (cli::interrupted()) return 130;
  StoryPipeline pipeline(bundle);
  pipeline.validate(spec, story_path);

  if (dump_path) {
    write_story_embeddings(*bundle, spec, *dump_path);
    std::cout << *dump_path << "\n";
    if (!out_dir) return 0;
  }

  StoryRunOptions options;
  options.record_attention = args.has("attention");
  options.max_batch = static_cast<int>(args.get_int("batch", 0));
  if (auto f = args.get("frames")) options.frames = parse_frame_list(*f);
  // A reference image for the identity, shared by every frame (combines with SVR and IPCA).
  options.ip_adapter = cli::ip_adapter_from_args(args, *bundle);

  const std::int64_t width = spec.width ? spec.width : bundle->default_image_size();
  const std::int64_t height = spec.height ? spec.height : bundle->default_image_size();
  if (!args.has("no-memory-check")) {
    const std::int64_t factor = bundle->vae_scale_factor();
    const auto est = estimate_run_memory(
        bundle->unet()->config(),
        bundle->has_vae() ? std::optional<VAEConfig>(bundle->vae()->config()) : std::nullopt,
        std::max<std::int64_t>(1, options.max_batch) * (spec.guidance > 1.0 ? 2 : 1), height / factor,
        width / factor, c10::elementSize(bundle->dtype()));
    check_memory_available(est.total_bytes(), story_path + ": width/height (--batch)");
  }

#ifdef STORYSCOPE_HAS_IMAGING
  const fs::path out(*out_dir);
  if (!args.has("ablate")) {
    const Rendered r = render(pipeline, spec, options, "step");
    if (!r.result.frames.empty()) write_outputs(out, spec, r, *bundle, options.record_attention);
    if (const auto clip = args.get("clip-model")) write_clip_scores(out, spec, r.result, *clip);
    std::cerr << "window " << r.result.window_size << " of " << spec.frames.size() << " frames, batch "
              << r.result.batch << "\n";
    if (r.interrupted) {
      std::cerr << "cancelled: " << r.result.frames.size() << " finished frames written\n";
      return 130;
    }
    if (!r.result.failures.empty()) {
      std::cerr << r.result.failures.size() << " frame(s) failed; the others were written\n";
      return 1;
    }
    return 0;
  }

  // The ablation: the same story, noise and seed under each technique, one row each.
  struct Variant {
    const char* name;
    SvrMode svr;
    bool ipca;
  };
  const std::vector<Variant> variants{{"off", SvrMode::Off, false},
                                      {"npr", SvrMode::Npr, false},
                                      {"svr", SvrMode::Svr, false},
                                      {"svr+ipca", SvrMode::Svr, true}};
  std::vector<std::vector<RgbImage>> rows;
  std::vector<std::string> labels;
  for (const Variant& v : variants) {
    StorySpec s = spec;
    s.svr_mode = v.svr;
    s.ipca = v.ipca;
    const Rendered r = render(pipeline, s, options, v.name);
    if (r.interrupted) {
      std::cerr << "cancelled during " << v.name << "; finished variants are written\n";
      return 130;
    }
    write_outputs(out / v.name, s, r, *bundle, options.record_attention);
    std::vector<RgbImage> row;
    for (const StoryFrame& f : r.result.frames)
      row.push_back(image_from_tensor(f.image[0], ValueRange::ZeroToOne));
    rows.push_back(row);
    labels.push_back(v.name);
  }
  std::vector<std::string> columns;
  for (std::size_t j = 0; j < rows.front().size(); ++j) columns.push_back("frame " + std::to_string(j));
  write_png((out / "ablation.png").string(), labelled_grid(rows, labels, columns));
  std::cout << (out / "ablation.png").string() << "\n";
  return 0;
#else
  throw_bad_input("", "story", "this build has no imaging support (OpenCV): use --dump-embeddings only");
#endif
}

}  // namespace

STORYSCOPE_CLI_COMMAND(
    "story", cmd_story,
    "consistent story from story.json ([--model M] [--concepts PACK ...] --out DIR [--attention] "
    "[--ablate] [--dump-embeddings FILE])");
