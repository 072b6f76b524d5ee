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
#include "core/pipeline/vanilla_frame.h"

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
  // Vanilla and story frames alternate (frame j vanilla, frame j story, ...) and the medians are
  // reported, so a machine whose load drifts during the run biases neither side.
  const std::int64_t runs = std::max<std::int64_t>(1, args.get_int("runs", 1));
  std::vector<double> vanilla_times, story_times, vanilla_peaks, story_peaks;
  int window = 0;
  std::int64_t size = 0;
  StoryPipeline story(bundle);
  for (std::int64_t run = 0; run < runs; ++run) {
    for (int j = 0; j < static_cast<int>(spec.frames.size()); ++j) {
      const Txt2ImgRequest r = vanilla_frame_request(spec, j);
      reset_peak_rss();
      auto t0 = Clock::now();
      txt2img.run(r);
      vanilla_times.push_back(seconds(t0, Clock::now()));
      vanilla_peaks.push_back(static_cast<double>(peak_rss_bytes()));

      StoryRunOptions options;  // SVR + IPCA at every position, one frame like the vanilla side
      options.max_batch = 1;
      options.frames = {j};
      reset_peak_rss();
      t0 = Clock::now();
      const StoryResult result = story.run(spec, options);
      story_times.push_back(seconds(t0, Clock::now()));
      story_peaks.push_back(static_cast<double>(peak_rss_bytes()));
      window = result.window_size;
      size = result.width;
    }
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  const double vanilla_s = median(vanilla_times), story_s = median(story_times);
  const double vanilla_peak = median(vanilla_peaks), story_peak = median(story_peaks);

  const json out = {{"bench", "story"},
                    {"model", bundle->source()},
                    {"size", size},
                    {"runs", runs},
                    {"vanilla_frame_s", vanilla_times},
                    {"story_frame_s", story_times},
                    {"frames", spec.frames.size()},
                    {"steps", spec.steps},
                    {"guidance", spec.guidance},
                    {"window", window},
                    {"threads", at::get_num_threads()},
                    {"vanilla", {{"frame_s", vanilla_s}, {"peak_rss_gb", vanilla_peak / 1e9}}},
                    {"svr_ipca", {{"frame_s", story_s}, {"peak_rss_gb", story_peak / 1e9}}},
                    {"time_ratio", story_s / vanilla_s},
                    {"memory_ratio", story_peak / vanilla_peak}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace storyscope::cli
