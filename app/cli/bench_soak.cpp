#include "app/cli/bench_soak.h"

#include <ATen/Parallel.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli/model_args.h"
#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/common/error.h"
#include "core/common/memory.h"
#include "core/pipeline/txt2img.h"

namespace storyscope::cli {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Generations before the resident set is expected to be flat: the first runs fill LibTorch's and
// the allocator's pools, the tokenizer cache and glibc's mmap threshold, which rises after the
// first large frees and then keeps big buffers in the heap.
constexpr std::size_t kWarmupGenerations = 10;

// Shapes-world captions (the demo model's vocabulary), cycled so the text side varies too.
const std::vector<std::string>& default_prompts() {
  static const std::vector<std::string> prompts = {
      "a big red striped circle on the left in the snow next to a yellow star",
      "a small blue square in the center on the grass",
      "a green triangle on the right at night",
      "a purple star at the top in the desert next to an orange circle",
  };
  return prompts;
}

double megabytes(std::int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

// Bytes the program holds through malloc (heap and mmapped chunks), from glibc. Unlike RSS it
// does not count memory the allocator keeps after a free, so a leak shows here exactly.
std::int64_t heap_in_use_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<std::int64_t>(info.uordblks + info.hblkhd);
}

// Least-squares slope of y over its index: the steady drift per generation, less sensitive to
// one noisy sample than last - first.
double slope_per_step(const std::vector<double>& y) {
  const double n = static_cast<double>(y.size());
  if (y.size() < 2) return 0.0;
  double mean_x = (n - 1) / 2, mean_y = 0;
  for (double v : y) mean_y += v / n;
  double num = 0, den = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double dx = static_cast<double>(i) - mean_x;
    num += dx * (y[i] - mean_y);
    den += dx * dx;
  }
  return num / den;
}

// Records cross-attention during one generation, as the GUI's inspector does, and detaches the
// processor afterwards so the store (and its maps) go away with the generation.
class CaptureScope {
 public:
  CaptureScope(ModelBundle& bundle, std::int64_t latent_side) : unet_(bundle.unet()) {
    AttentionStoreOptions opts;
    for (std::int64_t t = 1; t <= 16; ++t) opts.token_positions.push_back(t);
    opts.latent_height = opts.latent_width = latent_side;
    store_ = std::make_shared<AttentionStore>(opts);
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_observer(store_);
    unet_->set_attn_processor([processor](const LayerInfo&) { return processor; });
  }
  ~CaptureScope() {
    unet_->set_attn_processor([](const LayerInfo&) { return AttentionProcessorPtr(); });
  }
  CaptureScope(const CaptureScope&) = delete;
  CaptureScope& operator=(const CaptureScope&) = delete;
  std::size_t records() const { return store_->size(); }

 private:
  UNet2DConditionModel unet_;
  std::shared_ptr<AttentionStore> store_;
};

}  // namespace

int bench_soak(const Args& args) {
  const std::int64_t count = args.get_int("count", 100);
  if (count < 1) throw_bad_input("", "--count", "must be at least 1");
  const std::string capture = args.get("capture").value_or("none");
  if (capture != "none" && capture != "cross")
    throw_bad_input("", "--capture", "\"" + capture + "\" is not one of none, cross (bench soak)");
  std::vector<std::string> prompts = args.get_all("prompt");
  if (prompts.empty()) prompts = default_prompts();

  const std::int64_t rss_before_load = current_rss_bytes();
  const auto t_load = Clock::now();
  auto bundle = load_model_from_args(args);
  const double load_s = std::chrono::duration<double>(Clock::now() - t_load).count();
  const Txt2Img txt2img(bundle);

  Txt2ImgRequest req;
  req.steps = static_cast<int>(args.get_int("steps", 30));
  req.guidance = args.get_double("guidance", 5.0);
  req.sampler = args.get("sampler").value_or("");
  req.width = req.height = args.get_int("size", 0);
  req.prompt = prompts.front();
  txt2img.validate(req);  // bad settings fail before the first generation, not after it
  const std::int64_t side = req.width ? req.width : bundle->default_image_size();
  const std::int64_t latent_side = side / bundle->vae_scale_factor();

  const std::int64_t rss_start = current_rss_bytes();
  std::vector<double> rss_mb, heap_mb, seconds;
  std::size_t records = 0;
  const auto t_all = Clock::now();
  for (std::int64_t i = 0; i < count; ++i) {
    req.prompt = prompts[static_cast<std::size_t>(i) % prompts.size()];
    req.seed = static_cast<std::uint64_t>(i);
    const auto t0 = Clock::now();
    {
      std::unique_ptr<CaptureScope> scope;
      if (capture == "cross") scope = std::make_unique<CaptureScope>(*bundle, latent_side);
      const Txt2ImgResult result = txt2img.run(req);
      if (scope) records = scope->records();
    }
    seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    rss_mb.push_back(megabytes(current_rss_bytes()));
    heap_mb.push_back(megabytes(heap_in_use_bytes()));
    std::cerr << "generation " << (i + 1) << "/" << count << ": " << seconds.back() << " s, RSS "
              << rss_mb.back() << " MB\n";
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - t_all).count();

  json out = {{"bench", "soak"},
              {"model", bundle->source()},
              {"count", count},
              {"steps", req.steps},
              {"guidance", req.guidance},
              {"size", side},
              {"capture", capture},
              {"threads", at::get_num_threads()},
              {"prompts", prompts},
              {"load_s", load_s},
              {"seconds", total_s},
              {"seconds_per_generation", seconds},
              {"rss_before_load_mb", megabytes(rss_before_load)},
              {"rss_start_mb", megabytes(rss_start)},
              {"rss_mb", rss_mb},
              {"rss_after_1_mb", rss_mb.front()},
              {"rss_last_mb", rss_mb.back()},
              {"rss_max_mb", *std::max_element(rss_mb.begin(), rss_mb.end())},
              {"peak_rss_mb", megabytes(peak_rss_bytes())},
              {"heap_in_use_mb", heap_mb}};
  if (capture != "none") out["attention_records_per_generation"] = records;
  if (rss_mb.size() >= kWarmupGenerations) {
    const std::vector<double> steady(rss_mb.begin() + (kWarmupGenerations - 1), rss_mb.end());
    out["warmup_generations"] = kWarmupGenerations;
    out["rss_after_10_mb"] = steady.front();
    // Growth after warm-up: the last sample against the 10th, and the largest excursion above it.
    out["growth_after_10_mb"] = steady.back() - steady.front();
    out["max_growth_after_10_mb"] = *std::max_element(steady.begin(), steady.end()) - steady.front();
    out["slope_after_10_kb_per_generation"] = 1024.0 * slope_per_step(steady);
    const std::vector<double> heap(heap_mb.begin() + (kWarmupGenerations - 1), heap_mb.end());
    out["heap_growth_after_10_mb"] = heap.back() - heap.front();
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace storyscope::cli
