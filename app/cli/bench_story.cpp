#include "app/cli/bench_story.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/model_args.h"
#include "app/cli/synthetic_model.h"
#include "core/common/memory.h"
#include "core/pipeline/story.h"
#include "core/pipeline/txt2img.h"

namespace storyscope::cli {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

StorySpec bench_spec(const Args& args) {
  StorySpec spec;
  spec.identity = args.get("prompt").value_or("a watercolor red fox");
  spec.frames = {"playing in the snow", "sleeping under a tree", "drinking from a river", "reading a book"};
  spec.frames.resize(static_cast<std::size_t>(std::clamp<std::int64_t>(args.get_int("frames", 2), 1, 4)));
  spec.steps = static_cast<int>(args.get_int("steps", 3));
  spec.guidance = args.get_double("guidance", 5.0);
  spec.sampler = args.get("sampler").value_or("euler");
  spec.width = spec.height = args.get_int("size", 0);
  return spec;
}

}  // namespace

int bench_story(const Args& args) {
  auto bundle = args.has("synthetic-weights") ? synthetic_bundle(args) : load_model_from_args(args);
  const StorySpec spec = bench_spec(args);
  const auto frames = static_cast<double>(spec.frames.size());

  // Vanilla: each frame's identity + frame prompt alone, one image at a time, same start noise.
  const Txt2Img txt2img(bundle);
  // A warm-up frame so neither side pays for first-call allocations.
  {
    Txt2ImgRequest warm;
    warm.prompt = spec.identity;
    warm.steps = 1;
    warm.guidance = spec.guidance;
    warm.sampler = spec.sampler;
    warm.width = spec.width;
    warm.height = spec.height;
    txt2img.run(warm);
  }
  reset_peak_rss();
  const auto v0 = Clock::now();
  for (const std::string& frame : spec.frames) {
    Txt2ImgRequest r;
    r.prompt = spec.identity + " " + frame;
    if (!spec.negative.empty()) r.negative = spec.negative;  // empty: none, as stories encode it
    r.steps = spec.steps;
    r.guidance = spec.guidance;
    r.sampler = spec.sampler;
    r.seed = spec.seed;
    r.width = spec.width;
    r.height = spec.height;
    txt2img.run(r);
  }
  const double vanilla_s = seconds(v0, Clock::now()) / frames;
  const double vanilla_peak = static_cast<double>(peak_rss_bytes());

  // The story: SVR + IPCA at every position, frames one at a time like the vanilla side.
  StoryRunOptions options;
  options.max_batch = 1;
  reset_peak_rss();
  const auto s0 = Clock::now();
  const StoryResult story = StoryPipeline(bundle).run(spec, options);
  const double story_s = seconds(s0, Clock::now()) / frames;
  const double story_peak = static_cast<double>(peak_rss_bytes());

  const json out = {{"bench", "story"},
                    {"model", bundle->source()},
                    {"size", story.width},
                    {"frames", spec.frames.size()},
                    {"steps", spec.steps},
                    {"guidance", spec.guidance},
                    {"window", story.window_size},
                    {"threads", at::get_num_threads()},
                    {"vanilla", {{"frame_s", vanilla_s}, {"peak_rss_gb", vanilla_peak / 1e9}}},
                    {"svr_ipca", {{"frame_s", story_s}, {"peak_rss_gb", story_peak / 1e9}}},
                    {"time_ratio", story_s / vanilla_s},
                    {"memory_ratio", story_peak / vanilla_peak}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace storyscope::cli
