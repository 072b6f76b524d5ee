// storyscope-cli bench unet: time UNet denoising steps on synthetic weights and inputs and
// print JSON (per-step ms, peak RSS, threads, dtype). Performance targets live here, never in
// timed unit tests.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/nn.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/bench_concepts.h"
#include "app/cli/bench_soak.h"
#include "app/cli/bench_story.h"
#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "app/cli/synthetic_model.h"
#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/common/error.h"
#include "core/common/memory.h"
#include "core/config/clip_text_config.h"
#include "core/config/json_fields.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/models/component_files.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/pipeline/model_loader.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/splitmix.h"
#include "core/tensor/state_dict.h"
#include "core/text/clip_text_model.h"

using namespace storyscope;
using json = nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int bench_unet(const cli::Args& args) {
  const auto size = args.get_int("size", 512);
  const auto batch = args.get_int("batch", 2);
  const auto steps = args.get_int("steps", 3);
  const auto warmup = args.get_int("warmup", 1);
  const std::string dtype_name = args.get("dtype").value_or("fp32");
  const at::ScalarType dtype = cli::parse_dtype_flag(args);
  if (size <= 0 || size % 8 != 0) throw_bad_input("", "--size", "must be a positive multiple of 8");
  if (batch <= 0) throw_bad_input("", "--batch", "must be positive");
  if (steps <= 0) throw_bad_input("", "--steps", "must be positive");
  if (!args.has("synthetic-weights") && !args.get("model"))
    throw_bad_input("", "--synthetic-weights",
                    "bench needs --config FILE --synthetic-weights or --model DIR");

  at::NoGradGuard no_grad;
  const auto t_build = std::chrono::steady_clock::now();
  std::string config_path = args.get("config").value_or("");
  ComponentFiles files;
  if (args.get("model")) {
    files = locate_component(*args.get("model"), "unet");
    config_path = files.config;
  }
  if (config_path.empty()) throw_bad_input("", "--config", "is required");
  const UNetConfig cfg = UNetConfig::from_file(config_path);
  UNet2DConditionModel unet(cfg);
  if (args.get("model"))
    load_state_dict(*unet, load_component_weights(files), files.folder);
  else
    fill_splitmix(*unet);
  unet->to(dtype);
  const double build_s = seconds_since(t_build);

  // Pixel-space models (in_channels 3, no VAE) run at the image size itself.
  const bool pixel_space = args.has("pixel-space");
  const std::int64_t side = pixel_space ? size : size / 8;
  auto sample = splitmix_input("bench.sample", {batch, cfg.in_channels, side, side}).to(dtype);
  auto context = splitmix_input("bench.context", {batch, 77, cfg.cross_attention_dim.front()}).to(dtype);
  UNetAddedCond added;
  if (cfg.has_text_time()) {
    const std::int64_t text_dim =
        cfg.projection_class_embeddings_input_dim.value_or(0) - 6 * cfg.addition_time_embed_dim.value_or(0);
    added.text_embeds = splitmix_input("bench.text_embeds", {batch, text_dim}).to(dtype);
    const double s = static_cast<double>(size);
    added.time_ids = at::tensor(std::vector<double>{s, s, 0, 0, s, s}).to(dtype).repeat({batch, 1});
  }
  const auto timestep = at::scalar_tensor(500, at::kLong);

  // --capture: record what the attention inspector would (the conditional half, fp16, real tokens).
  const std::string capture = args.get("capture").value_or("none");
  if (capture != "none" && capture != "cross" && capture != "cross+self16")
    throw_bad_input("", "--capture", "\"" + capture + "\" is not one of none, cross, cross+self16");
  const std::int64_t capture_tokens = args.get_int("capture-tokens", 16);
  if (capture_tokens < 1 || capture_tokens > 75) throw_bad_input("", "--capture-tokens", "must be 1..75");
  std::shared_ptr<AttentionStore> store;
  if (capture != "none") {
    AttentionStoreOptions opts;
    for (std::int64_t t = 1; t <= capture_tokens; ++t) opts.token_positions.push_back(t);
    opts.latent_height = opts.latent_width = side;
    if (capture == "cross+self16") opts.self_attention_resolutions = {16};
    store = std::make_shared<AttentionStore>(opts);
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_observer(store);
    unet->set_attn_processor([processor](const LayerInfo&) { return processor; });
  }
  StepInfo step_info;
  for (std::int64_t r = batch / 2; r < batch; ++r) step_info.cond_rows.push_back(r);  // [uncond; cond]
  if (batch == 1) step_info.cond_rows = {0};

  for (std::int64_t i = 0; i < warmup; ++i) unet->forward(sample, timestep, context, added, step_info);
  if (store) store->clear();
  const auto rss_before = current_rss_bytes();
  reset_peak_rss();
  std::vector<double> ms;
  for (std::int64_t i = 0; i < steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step_info.index = static_cast<int>(i);
    step_info.timestep = 500;
    auto out = unet->forward(sample, timestep, context, added, step_info);
    ms.push_back(1000.0 * seconds_since(t0));
    std::cerr << "step " << (i + 1) << "/" << steps << ": " << ms.back() << " ms\n";
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                          : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
  std::int64_t params = 0;
  for (const auto& p : unet->parameters()) params += p.numel();
  json out = {{"bench", "unet"},
              {"config", config_path},
              {"parameters", params},
              {"size", size},
              {"latent", side},
              {"batch", batch},
              {"dtype", dtype_name},
              {"threads", at::get_num_threads()},
              {"steps", steps},
              {"warmup", warmup},
              {"step_ms", ms},
              {"step_ms_median", median},
              {"step_ms_min", sorted.front()},
              {"step_ms_max", sorted.back()},
              {"build_s", build_s},
              {"rss_before_steps_gb", rss_before / 1e9},
              {"peak_rss_steps_gb", peak_rss_bytes() / 1e9},
              {"capture", capture}};
  if (store) {
    const double per_step = static_cast<double>(store->resident_bytes()) / static_cast<double>(steps);
    out["capture_tokens"] = capture_tokens;
    out["capture_records"] = store->size();
    out["capture_bytes_per_step"] = per_step;
    out["capture_mb_for_30_steps"] = 30.0 * per_step / 1e6;
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

// Marks when the denoising loop starts and ends, so the run splits into encode / steps / decode.
class StageClock : public RunObserver {
 public:
  void on_progress(const RunProgress& p) override {
    const auto now = std::chrono::steady_clock::now();
    if (p.step == 1)
      loop_start = now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(p.elapsed_seconds));
    loop_end = now;
    step_ends.push_back(now);
  }
  std::chrono::steady_clock::time_point loop_start, loop_end;
  std::vector<std::chrono::steady_clock::time_point> step_ends;
};

int bench_pipeline(const cli::Args& args) {
  const auto t_load = std::chrono::steady_clock::now();
  auto bundle = args.has("synthetic-weights") ? cli::synthetic_bundle(args) : cli::load_model_from_args(args);
  const double load_s = seconds_since(t_load);
  Txt2ImgRequest req;
  req.prompt = args.get("prompt").value_or("a watercolor red fox playing in the snow");
  req.steps = static_cast<int>(args.get_int("steps", 3));
  req.guidance = args.get_double("guidance", 7.5);
  req.sampler = args.get("sampler").value_or("");
  req.batch = static_cast<int>(args.get_int("batch", 1));
  req.width = req.height = args.get_int("size", 0);
  req.seed = 42;
  const auto runs = args.get_int("runs", 1);
  json per_run = json::array();
  for (std::int64_t r = 0; r < runs; ++r) {
    StageClock clock;
    const auto t0 = std::chrono::steady_clock::now();
    reset_peak_rss();
    Txt2Img(bundle).run(req, &clock);
    const auto t_end = std::chrono::steady_clock::now();
    const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    std::vector<double> step_ms;
    auto prev = clock.loop_start;
    for (const auto& t : clock.step_ends) {
      step_ms.push_back(1000.0 * secs(prev, t));
      prev = t;
    }
    per_run.push_back({{"total_s", secs(t0, t_end)},
                       {"text_encode_s", secs(t0, clock.loop_start)},
                       {"denoise_s", secs(clock.loop_start, clock.loop_end)},
                       {"step_ms", step_ms},
                       {"decode_s", secs(clock.loop_end, t_end)},
                       {"peak_rss_gb", peak_rss_bytes() / 1e9}});
  }
  json out = {{"bench", "pipeline"},
              {"model", bundle->source()},
              {"family", family_name(bundle->family())},
              {"size", req.width ? req.width : bundle->default_image_size()},
              {"batch", req.batch},
              {"steps", req.steps},
              {"guidance", req.guidance},
              {"dtype", args.get("dtype").value_or("fp32")},
              {"threads", at::get_num_threads()},
              {"load_s", load_s},
              {"runs", per_run}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

int cmd_bench(int argc, char** argv) {
  cli::Args args(argc, argv, {"config",         "model",        "config-from", "tokenizer", "tokenizer-2",
                              "size",           "batch",        "steps",       "warmup",    "dtype",
                              "prompt",         "guidance",     "sampler",     "runs",      "capture",
                              "capture-tokens", "frames",       "count",       "scenes",    "seed",
                              "phase1-steps",   "phase2-steps", "phase1-lr",   "phase2-lr", "lambda-attn"},
                 {"synthetic-weights", "pixel-space", "pipeline"});
  // `bench --pipeline` and `bench pipeline` are the same benchmark.
  const std::string what = args.has("pipeline")        ? "pipeline"
                           : args.positional().empty() ? ""
                                                       : args.positional()[0];
  if (what == "unet") return bench_unet(args);
  if (what == "pipeline") return bench_pipeline(args);
  if (what == "story") return cli::bench_story(args);
  if (what == "soak") return cli::bench_soak(args);
  if (what == "concepts") return cli::bench_concepts(args);
  throw_bad_input("", "bench",
                  "name what to benchmark: unet, story, soak, concepts, or pipeline (--pipeline)");
}

}  // namespace

STORYSCOPE_CLI_COMMAND(
    "bench", cmd_bench,
    "benchmark unet, pipeline, story, soak (memory) or concepts (Break-A-Scene) and print JSON");
