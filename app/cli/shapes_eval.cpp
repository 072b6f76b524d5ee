// storyscope-cli shapes eval [--model DIR] [--captions N] [--stories S] [--steps 30] [--seed S]
//     [--guidance G] [--sampler ddim] [--min-frames 4] [--max-frames 6] --out report.json
//     [--markdown report.md]
// Ctrl-C stops after the step in progress; the report of what finished is still written, marked
// "cancelled", and the exit code is 130.
#include "app/cli/shapes_eval.h"

#include <iostream>
#include <string>

#include "app/cli/args.h"
#include "app/cli/interrupt.h"
#include "app/cli/model_args.h"
#include "app/cli/progress_bar.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/demo/shapes_eval.h"

namespace storyscope::cli {
namespace {

class EvalProgressBar : public ShapesEvalObserver {
 public:
  explicit EvalProgressBar(CancellationToken token) : token_(std::move(token)), bar_("step") {}
  void on_progress(const ShapesEvalProgress& p) override {
    const std::string prefix = p.phase + " " + std::to_string(p.item + 1) + "/" + std::to_string(p.items) +
                               (p.phase == "stories" ? " " + p.detail : "");
    bar_.update(p.step, p.steps, prefix);
    if (interrupted()) token_.cancel();
  }
  void finish() { bar_.finish(); }

 private:
  CancellationToken token_;
  ProgressBar bar_;
};

int count_flag(const Args& args, const std::string& flag, int fallback, int min, int max) {
  const std::int64_t v = args.get_int(flag, fallback);
  if (v < min || v > max)
    throw_bad_input("", "--" + flag, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return static_cast<int>(v);
}

}  // namespace

int run_shapes_eval(int argc, char** argv) {
  const Args args(argc, argv,
                  {"model", "tokenizer", "config-from", "dtype", "captions", "stories", "steps", "seed",
                   "guidance", "sampler", "min-frames", "max-frames", "out", "markdown"},
                  {});
  const std::string out = args.require("out");
  ShapesEvalOptions o;
  o.captions = count_flag(args, "captions", o.captions, 0, 100000);
  o.stories = count_flag(args, "stories", o.stories, 0, 10000);
  o.steps = count_flag(args, "steps", o.steps, 1, 1000);
  o.min_frames = count_flag(args, "min-frames", o.min_frames, 1, 6);
  o.max_frames = count_flag(args, "max-frames", o.max_frames, o.min_frames, 6);
  const std::int64_t seed = args.get_int("seed", 0);
  if (seed < 0) throw_bad_input("", "--seed", "must be >= 0");
  o.seed = static_cast<std::uint64_t>(seed);
  o.guidance = args.get_double("guidance", o.guidance);
  if (!(o.guidance >= 0)) throw_bad_input("", "--guidance", "must be >= 0");
  o.sampler = args.get("sampler").value_or(o.sampler);

  auto bundle = load_model_from_args(args);
  install_interrupt_handler();
  CancellationToken token;
  EvalProgressBar bar(token);
  const ShapesEvalReport report = evaluate_shapes_model(bundle, o, &bar, token);
  bar.finish();

  write_file_atomically(out, to_json(report).dump(2) + "\n");
  const std::string md = to_markdown(report);
  if (auto path = args.get("markdown")) write_file_atomically(*path, md);
  std::cout << md;
  if (report.cancelled) {
    std::cerr << "cancelled; the report covers what finished\n";
    return 130;
  }
  return 0;
}

}  // namespace storyscope::cli
