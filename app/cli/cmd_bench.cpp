// storyscope-cli bench unet: time UNet denoising steps on synthetic weights and inputs and
// print JSON (per-step ms, peak RSS, threads, dtype). Performance targets live here, never in
// timed unit tests.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/nn.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/common/memory.h"
#include "core/config/unet_config.h"
#include "core/models/component_files.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/tensor/splitmix.h"

using namespace storyscope;
using json = nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

at::ScalarType parse_dtype(const std::string& name) {
  if (name == "fp32" || name == "float32") return at::kFloat;
  if (name == "bf16" || name == "bfloat16") return at::kBFloat16;
  if (name == "fp16" || name == "float16") return at::kHalf;
  throw_bad_input("", "--dtype", "\"" + name + "\" is not one of fp32, bf16, fp16");
}

int bench_unet(const cli::Args& args) {
  const auto size = args.get_int("size", 512);
  const auto batch = args.get_int("batch", 2);
  const auto steps = args.get_int("steps", 3);
  const auto warmup = args.get_int("warmup", 1);
  const std::string dtype_name = args.get("dtype").value_or("fp32");
  const at::ScalarType dtype = parse_dtype(dtype_name);
  if (size <= 0 || size % 8 != 0) throw_bad_input("", "--size", "must be a positive multiple of 8");
  if (batch <= 0) throw_bad_input("", "--batch", "must be positive");
  if (steps <= 0) throw_bad_input("", "--steps", "must be positive");
  if (!args.has("synthetic-weights") && !args.get("model"))
    throw_bad_input("", "--synthetic-weights", "bench needs --config FILE --synthetic-weights or --model DIR");

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
  if (args.get("model")) load_state_dict(*unet, load_component_weights(files), files.folder);
  else fill_splitmix(*unet);
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

  for (std::int64_t i = 0; i < warmup; ++i) unet->forward(sample, timestep, context, added);
  const auto rss_before = current_rss_bytes();
  reset_peak_rss();
  std::vector<double> ms;
  for (std::int64_t i = 0; i < steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto out = unet->forward(sample, timestep, context, added);
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
              {"peak_rss_steps_gb", peak_rss_bytes() / 1e9}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

int cmd_bench(int argc, char** argv) {
  cli::Args args(argc, argv, {"config", "model", "size", "batch", "steps", "warmup", "dtype"},
                 {"synthetic-weights", "pixel-space"});
  if (args.positional().empty()) throw_bad_input("", "bench", "name what to benchmark: unet");
  const std::string what = args.positional()[0];
  if (what == "unet") return bench_unet(args);
  throw_bad_input("", "bench", "unknown benchmark \"" + what + "\" (known: unet)");
}

}  // namespace

STORYSCOPE_CLI_COMMAND("bench", cmd_bench, "benchmark a component (unet) and print JSON timings");
