// storyscope-cli attend: where does each word of the prompt look? Generates an image (or takes
// one with --image, noised to --timestep) with an AttentionStore on the UNet, then writes the
// records, per-word heatmaps (raw and over the image), a grid of the overlays and, with
// --mask WORD=FILE, how well each word's attention matches its mask. With an image prompt
// (--ip-adapter, see ip_adapter_args.h) each image token gets a map too (heatmaps/ip_image_K).
//
// Ctrl-C stops after the step in progress and writes nothing; every file is written into a
// temporary folder next to --out first and moved into place only when all of them exist.
#include <ATen/ATen.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/init_latents.h"
#include "app/cli/interrupt.h"
#include "app/cli/ip_adapter_args.h"
#include "app/cli/model_args.h"
#include "app/cli/progress_bar.h"
#include "core/common/error.h"
#include "core/models/unet/default_processors_guard.h"

#ifdef STORYSCOPE_HAS_IMAGING
#include "core/analysis/alignment.h"
#include "core/analysis/attention_views.h"
#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/attention/records_file.h"
#include "core/imaging/heatmap.h"
#include "core/imaging/image_tensor.h"
#include "core/imaging/png_metadata.h"
#include "core/pipeline/inspect_image.h"
#include "core/pipeline/memory_estimate.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"
#endif

namespace fs = std::filesystem;
using namespace storyscope;

namespace {

#ifdef STORYSCOPE_HAS_IMAGING

class CliObserver : public RunObserver {
 public:
  explicit CliObserver(CancellationToken token) : token_(std::move(token)), bar_("step") {}
  void on_progress(const RunProgress& p) override {
    bar_.update(p.step, p.total);
    if (cli::interrupted()) token_.cancel();
  }
  void finish() { bar_.finish(); }

 private:
  CancellationToken token_;
  cli::ProgressBar bar_;
};

// "all" or "A-B" (inclusive, 0-based) or a single "A".
StepRange parse_step_range(const std::string& text, const std::string& flag) {
  if (text == "all") return StepRange::all();
  const auto bad = [&]() -> StepRange {
    throw_bad_input("", flag, "expected all, A-B or A (0-based step indices), not \"" + text + "\"");
  };
  try {
    std::size_t used = 0;
    const int first = std::stoi(text, &used);
    if (used == text.size()) return first < 0 ? bad() : StepRange::single(first);
    if (text[used] != '-') return bad();
    const std::string rest = text.substr(used + 1);
    std::size_t used2 = 0;
    const int last = std::stoi(rest, &used2);
    if (used2 != rest.size() || first < 0 || last < first) return bad();
    return {first, last};
  } catch (const std::logic_error&) {
    return bad();
  }
}

std::vector<double> parse_timesteps(const std::string& text) {
  std::vector<double> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    try {
      std::size_t used = 0;
      const double t = std::stod(item, &used);
      if (used != item.size()) throw std::invalid_argument(item);
      out.push_back(t);
    } catch (const std::logic_error&) {
      throw_bad_input("", "--timestep",
                      "expected an integer timestep or a comma list of them, not \"" + text + "\"");
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::string sanitise(const std::string& word) {
  std::string out;
  for (unsigned char c : word) out += std::isalnum(c) && c < 128 ? static_cast<char>(c) : '_';
  return out.empty() ? "_" : out;
}

// The resolution the p2p view aggregates: 16 (Prompt-to-Prompt's) when a down/up cross layer
// runs at a 16 grid, else the finest such grid (tiny models at small sizes).
int p2p_resolution(const UNet2DConditionModel& unet, std::int64_t latent_h, std::int64_t latent_w) {
  const std::set<std::int64_t> grids = cross_attention_grids(
      unet->attention_layers(), unet->config().sample_size.value_or(0), latent_h, latent_w);
  if (grids.empty() || grids.count(16)) return 16;
  const int finest = static_cast<int>(*grids.rbegin());
  std::cerr << "no 16x16 down/up cross-attention layer at this size; the p2p view uses the finest grid "
               "(shorter side "
            << finest << ")\n";
  return finest;
}

struct WordTile {
  std::string label;
  std::string file;
  at::Tensor map;  // [h, w] in [0, 1]
};

// The maps of the chosen view, one per word (or per principal component for self-pca).
std::vector<WordTile> view_tiles(const AttentionRecordSet& set, const std::string& view, StepRange range,
                                 int resolution, const std::vector<WordSpan>& spans) {
  std::vector<WordTile> tiles;
  at::Tensor maps;
  std::vector<std::string> labels;
  if (view == "self-pca") {
    SelfPcaOptions o;
    o.resolution = resolution;
    o.steps = range;
    maps = normalise_maps(self_pca_view(set, o).components, MapNorm::MinMax);
    for (std::int64_t k = 0; k < maps.size(0); ++k) labels.push_back("pc" + std::to_string(k + 1));
  } else {
    if (view == "daam")
      maps = daam_word_view(set, spans, range);
    else if (view == "p2p")
      maps = word_maps(p2p_view(set, range, resolution), spans, MapNorm::Max);
    else
      maps = word_maps(layer_view(set, view.substr(6), range), spans, MapNorm::Max);
    for (const auto& s : spans) labels.push_back(s.word);
  }
  const std::size_t width = std::max<std::size_t>(2, std::to_string(labels.size()).size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::string index = std::to_string(i);
    index.insert(0, width - std::min(width, index.size()), '0');
    tiles.push_back(
        {labels[i], index + "_" + sanitise(labels[i]), maps[static_cast<std::int64_t>(i)].clamp(0, 1)});
  }
  return tiles;
}

// IP-Adapter's image tokens (the store's added_records), one map each in the words' view, so
// where the image prompt acts sits beside where each word acts.
std::vector<WordTile> image_token_tiles(const AttentionRecordSet& set, const std::string& view,
                                        StepRange range, int resolution) {
  if (set.added_records.empty() || view == "self-pca") return {};
  AttentionRecordSet image = set;
  image.records = set.added_records;
  image.added_records.clear();
  image.token_positions.clear();
  image.tokens.clear();
  image.token_ids.clear();
  const AttentionRecord& first = set.added_records.front();
  const std::int64_t count = first.probs.size(first.per_head ? 1 : 0);
  std::vector<WordSpan> spans;
  for (std::int64_t k = 0; k < count; ++k) {
    image.token_positions.push_back(k);
    image.tokens.push_back("img " + std::to_string(k));  // short: grid labels are narrow
    spans.push_back({image.tokens.back(), {k}});
  }
  std::vector<WordTile> tiles = view_tiles(image, view, range, resolution, spans);
  for (std::size_t k = 0; k < tiles.size(); ++k) tiles[k].file = first.keys + "_" + std::to_string(k);
  return tiles;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw_bad_input(path.string(), "", "cannot write the file");
}

// Moves everything in `from` into `to` (created if needed), replacing entries of the same name.
void move_into(const fs::path& from, const fs::path& to) {
  if (!fs::exists(to)) {
    fs::rename(from, to);
    return;
  }
  for (const auto& entry : fs::directory_iterator(from)) {
    const fs::path target = to / entry.path().filename();
    fs::remove_all(target);
    fs::rename(entry.path(), target);
  }
  fs::remove_all(from);
}

int cmd_attend(int argc, char** argv) {
  cli::Args args(
      argc, argv,
      cli::with_ip_adapter_flags({"model",    "tokenizer", "config-from", "dtype",        "prompt",
                                  "negative", "steps",     "view-steps",  "guidance",     "sampler",
                                  "seed",     "width",     "height",      "init-latents", "init-latents-key",
                                  "image",    "timestep",  "view",        "colormap",     "opacity",
                                  "mask",     "out",       "concepts"}),
      {});
  const std::string prompt = args.require("prompt");
  const fs::path out_dir = args.require("out");
  const bool from_image = args.get("image").has_value();

  // --steps N is the number of denoising steps (as in generate); --steps all|A-B, or
  // --view-steps, picks the steps the views average.
  StepRange range = StepRange::all();
  int steps = 30;
  if (auto s = args.get("steps")) {
    if (*s == "all" || s->find('-') != std::string::npos)
      range = parse_step_range(*s, "--steps");
    else
      steps = static_cast<int>(args.get_int("steps", 30));
  }
  if (auto s = args.get("view-steps")) range = parse_step_range(*s, "--view-steps");

  const std::string view = args.get("view").value_or("p2p");
  if (view != "p2p" && view != "daam" && view != "self-pca" &&
      (view.rfind("layer:", 0) != 0 || view.size() <= 6))
    throw_bad_input("", "--view", "expected p2p, daam, layer:NAME or self-pca, not \"" + view + "\"");
  const Colormap colormap = parse_colormap(args.get("colormap").value_or("turbo"));
  const double opacity = args.get_double("opacity", 0.5);
  if (!(opacity >= 0 && opacity <= 1)) throw_bad_input("", "--opacity", "must be in [0, 1]");

  std::map<std::string, at::Tensor> masks;
  std::map<std::string, std::string> mask_files;
  for (const std::string& m : args.get_all("mask")) {
    const auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
      throw_bad_input("", "--mask", "expected WORD=FILE.png, not \"" + m + "\"");
    masks[m.substr(0, eq)] = read_mask_png(m.substr(eq + 1));
    mask_files[m.substr(0, eq)] = m.substr(eq + 1);
  }

  RgbImage input_image;
  at::Tensor input_tensor;
  if (from_image) {
    input_image = read_png(*args.get("image"));
    input_tensor = tensor_from_image(input_image, ValueRange::MinusOneToOne);
  }

  if (from_image && args.has("ip-adapter"))
    throw_bad_input("", "--ip-adapter", "conditions generated images only (not --image)");
  auto bundle = cli::load_model_from_args(args);
  // The image prompt's attention is recorded beside the words' (records.json "added_records").
  const std::optional<IPAdapterInput> ip_adapter = cli::ip_adapter_from_args(args, *bundle);
  const ClipTokenizer& tokenizer = bundle->tokenizer();
  const Encoding encoding = tokenizer.encode(prompt);
  // Long prompts are encoded in chunks (see prompt_encoding.h): the keys of the context are the
  // chunks' ids one after the other, so the store records every real token of every chunk.
  const std::vector<std::vector<std::int64_t>> chunks = prompt_chunks(tokenizer, prompt);
  const std::int64_t chunk_length = tokenizer.model_max_length();
  std::vector<std::int64_t> ids;
  for (const auto& c : chunks) ids.insert(ids.end(), c.begin(), c.end());
  std::vector<std::string> tokens(ids.size());
  std::vector<std::int64_t> chunked_positions;
  if (chunks.size() == 1) {
    for (std::size_t i = 0; i < ids.size() && i < encoding.tokens.size(); ++i) tokens[i] = encoding.tokens[i];
  } else {
    chunked_positions = chunked_token_positions(ids, tokenizer.bos_id(), tokenizer.eos_id(), chunk_length);
    for (std::size_t c = 0; c < chunks.size(); ++c) tokens[c * chunk_length] = encoding.tokens.front();
    for (const std::int64_t p : chunked_positions)
      tokens[static_cast<std::size_t>(p)] =
          encoding.tokens[static_cast<std::size_t>(unchunked_position(p, chunk_length))];
    std::cerr << "prompt is " << chunked_positions.size() << " tokens: encoded in " << chunks.size()
              << " chunks of " << chunk_length << "\n";
  }

  // Sizes first: the store and the p2p resolution depend on the latent grid.
  std::int64_t width = 0, height = 0;
  if (from_image) {
    width = input_image.width;
    height = input_image.height;
  } else {
    width = args.get_int("width", 0) ? args.get_int("width", 0) : bundle->default_image_size();
    height = args.get_int("height", 0) ? args.get_int("height", 0) : bundle->default_image_size();
  }
  const std::int64_t factor = bundle->vae_scale_factor();
  const std::int64_t latent_h = height / factor, latent_w = width / factor;
  // Masks are scored on each attention map's grid anyway (nearest resize, alignment.h), so one
  // of another size still works; say so, since a mask of another aspect ratio is stretched.
  for (const auto& [word, mask] : masks)
    if (mask.size(0) != height || mask.size(1) != width)
      std::cerr << "note: mask " << mask_files[word] << " for \"" << word << "\" is " << mask.size(1) << "x"
                << mask.size(0) << ", the image " << width << "x" << height
                << ": it is resized (nearest) to each attention map's grid\n";
  const int resolution = view == "p2p" || view == "self-pca" || !masks.empty()
                             ? p2p_resolution(bundle->unet(), latent_h, latent_w)
                             : 16;

  AttentionStoreOptions so;
  so.set_prompt(ids, tokens, tokenizer.bos_id(), tokenizer.eos_id());
  if (chunks.size() > 1) {
    so.token_positions = chunked_positions;
    so.eot_position = chunked_positions.back() + 1;
  }
  so.latent_height = latent_h;
  so.latent_width = latent_w;
  if (view == "self-pca") so.self_attention_resolutions = {resolution};
  auto store = std::make_shared<AttentionStore>(so);
  // word_spans counts positions in the untruncated encoding; map chunked key positions back.
  std::vector<std::int64_t> encoding_positions = store->recorded_positions();
  if (chunks.size() > 1)
    for (auto& p : encoding_positions) p = unchunked_position(p, chunk_length);
  const std::vector<WordSpan> spans = word_spans(encoding, prompt, encoding_positions);
  for (const auto& [word, mask] : masks) {
    bool found = false;
    for (const auto& s : spans) found = found || s.word == word;
    if (!found) {
      std::string words;
      for (const auto& s : spans) words += (words.empty() ? "" : ", ") + s.word;
      throw_bad_input("", "--mask", "\"" + word + "\" is not a word of the prompt (words: " + words + ")");
    }
  }

  auto processor = std::make_shared<ComposableAttentionProcessor>();
  processor->add_observer(store);
  bundle->unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });
  DefaultProcessorsGuard guard(bundle->unet());

  const bool seed_given = args.get("seed").has_value();
  const std::uint64_t seed =
      seed_given   ? static_cast<std::uint64_t>(args.get_int("seed", 0))
      : from_image ? 0
                   : (static_cast<std::uint64_t>(std::random_device{}()) << 20) ^ std::random_device{}();
  if (!seed_given && !from_image) std::cerr << "seed " << seed << "\n";

  cli::install_interrupt_handler();
  CancellationToken token;
  CliObserver observer(token);
  RgbImage image;
  bool cancelled = false;
  if (from_image) {
    InspectRequest req;
    req.image = input_tensor;
    req.prompt = prompt;
    if (auto neg = args.get("negative")) req.negative = *neg;
    req.timesteps = parse_timesteps(args.get("timestep").value_or("400"));
    req.seed = seed;
    req.guidance = args.get_double("guidance", 1.0);
    const auto est = estimate_run_memory(
        bundle->unet()->config(),
        bundle->has_vae() ? std::optional<VAEConfig>(bundle->vae()->config()) : std::nullopt,
        req.guidance > 1.0 ? 2 : 1, latent_h, latent_w, c10::elementSize(bundle->dtype()));
    check_memory_available(est.total_bytes(), "--image");
    const InspectResult r = inspect_image(*bundle, req, &observer, token);
    cancelled = r.cancelled;
    image = input_image;
  } else {
    Txt2ImgRequest req;
    req.prompt = prompt;
    if (auto neg = args.get("negative")) req.negative = *neg;
    req.steps = steps;
    req.guidance = args.get_double("guidance", 7.5);
    req.sampler = args.get("sampler").value_or("");
    req.width = width;
    req.height = height;
    req.seed = seed;
    if (auto init = args.get("init-latents"))
      req.init_latents = cli::read_init_latents(*init, args.get("init-latents-key").value_or(""));
    req.ip_adapter = ip_adapter;
    Txt2Img pipeline(bundle);
    pipeline.validate(req);
    // Same refusal as generate: a run the machine cannot hold stops here, not in the OOM killer.
    const std::int64_t factor = bundle->vae_scale_factor();
    const std::int64_t w = req.width ? req.width : bundle->default_image_size();
    const std::int64_t h = req.height ? req.height : bundle->default_image_size();
    const auto est = estimate_run_memory(
        bundle->unet()->config(),
        bundle->has_vae() ? std::optional<VAEConfig>(bundle->vae()->config()) : std::nullopt,
        req.guidance > 1.0 ? 2 : 1, h / factor, w / factor, c10::elementSize(bundle->dtype()));
    check_memory_available(est.total_bytes(), "--width/--height");
    const Txt2ImgResult r = pipeline.run(req, &observer, token);
    cancelled = r.cancelled;
    if (!cancelled) image = image_from_tensor(r.images[0], ValueRange::ZeroToOne);
  }
  observer.finish();
  if (cancelled) {
    std::cerr << "cancelled; nothing written\n";
    return 130;
  }

  const AttentionRecordSet set = store->records();
  for (const auto& w : store->warnings()) std::cerr << "warning: " << w << "\n";
  std::vector<WordTile> tiles = view_tiles(set, view, range, resolution, spans);
  for (WordTile& t : image_token_tiles(set, view, range, resolution)) tiles.push_back(std::move(t));
  std::vector<AlignmentRow> rows;
  if (!masks.empty()) {
    AlignmentOptions ao;
    ao.p2p_resolution = resolution;
    rows = alignment_table(set, masks, spans, ao);
  }

  // Everything goes to a sibling temporary folder first, so an error leaves --out untouched.
  const fs::path parent = out_dir.has_parent_path() ? out_dir.parent_path() : fs::path(".");
  fs::create_directories(parent);
  const fs::path tmp = parent / (out_dir.filename().string() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  try {
    fs::create_directories(tmp / "heatmaps");
    write_png((tmp / "image.png").string(), image);
    save_attention_records(set, tmp.string());
    std::vector<RgbImage> overlays;
    std::vector<std::string> labels;
    for (const WordTile& t : tiles) {
      write_png((tmp / "heatmaps" / (t.file + ".png")).string(),
                colorize(t.map, colormap, image.width, image.height));
      overlays.push_back(overlay(image, t.map, colormap, opacity));
      write_png((tmp / "heatmaps" / (t.file + "_overlay.png")).string(), overlays.back());
      labels.push_back(t.label);
    }
    if (!overlays.empty()) write_png((tmp / "grid.png").string(), token_grid(overlays, labels));
    if (!masks.empty()) {
      write_text(tmp / "alignment.json", to_json(rows));
      write_text(tmp / "alignment.csv", to_csv(rows));
    }
    move_into(tmp, out_dir);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  std::cout << out_dir.string() << "\n";
  return 0;
}

#else

int cmd_attend(int, char**) {
  throw_bad_input("", "attend", "this build has no imaging support (OpenCV); attention heatmaps need it");
}

#endif

}  // namespace

STORYSCOPE_CLI_COMMAND(
    "attend", cmd_attend,
    "attention heatmaps per prompt word ([--model M] [--concepts PACK ...] --prompt [--image PNG "
    "--timestep T] --out DIR)");
