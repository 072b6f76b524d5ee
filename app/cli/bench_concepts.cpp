#include "app/cli/bench_concepts.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/cli/interrupt.h"
#include "core/common/error.h"
#include "core/demo/shapes_concepts.h"
#include "core/pipeline/model_loader.h"

namespace storyscope::cli {

int bench_concepts(const Args& args) {
  shapes::ConceptBenchOptions o;
  o.scenes = static_cast<int>(args.get_int("scenes", 10));
  o.seed = static_cast<std::uint64_t>(args.get_int("seed", 0));
  o.steps = static_cast<int>(args.get_int("steps", 30));
  o.guidance = args.get_double("guidance", 2.0);
  o.extraction.phase1_steps = args.get_int("phase1-steps", o.extraction.phase1_steps);
  o.extraction.phase2_steps = args.get_int("phase2-steps", o.extraction.phase2_steps);
  o.extraction.batch_size = static_cast<int>(args.get_int("batch", o.extraction.batch_size));
  o.extraction.lambda_attention = args.get_double("lambda-attn", o.extraction.lambda_attention);
  o.extraction.phase1_learning_rate = args.get_double("phase1-lr", o.extraction.phase1_learning_rate);
  o.extraction.phase2_learning_rate = args.get_double("phase2-lr", o.extraction.phase2_learning_rate);
  if (o.scenes < 1) throw_bad_input("", "--scenes", "must be >= 1");
  if (o.steps < 1) throw_bad_input("", "--steps", "must be >= 1");
  const std::string model = args.get("model").value_or(demo_model_dir());
  if (model.empty()) throw_bad_input("", "--model", "is required: the demo model is not installed");

  install_interrupt_handler();
  CancellationToken cancel;
  // The bench checks its token between steps; Ctrl-C is a flag the handler sets.
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      if (interrupted()) cancel.cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  shapes::ConceptBenchReport report;
  try {
    report = shapes::run_concept_bench(
        model, o, [](const std::string& line) { std::cerr << line << std::endl; }, cancel);
  } catch (...) {
    done = true;
    watcher.join();
    throw;
  }
  done = true;
  watcher.join();
  nlohmann::json out = report.to_json();
  out["benchmark"] = "concepts";
  out["model"] = model;
  out["threads"] = at::get_num_threads();
  out["phase1_steps"] = o.extraction.phase1_steps;
  out["phase2_steps"] = o.extraction.phase2_steps;
  out["batch"] = o.extraction.batch_size;
  out["guidance"] = o.guidance;
  out["steps"] = o.steps;
  std::cout << out.dump(2) << std::endl;
  return report.cancelled ? 130 : 0;
}

}  // namespace storyscope::cli
