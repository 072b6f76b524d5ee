// storyscope-cli shapes train: trains the shapes-world demo model (pixel-space UNet + CLIP text
// encoder) from scratch or resumes it, with a progress bar, Ctrl-C that checkpoints, a loss curve
// and the result exported as a diffusers folder in --out.
#include "app/cli/shapes_train.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/cli/args.h"
#include "app/cli/interrupt.h"
#include "app/cli/progress_bar.h"
#include "core/common/error.h"
#include "core/demo/shapes_data.h"
#include "core/demo/shapes_model_config.h"
#include "core/demo/shapes_vocab.h"
#include "core/demo/trainer.h"
#include "core/text/clip_tokenizer.h"
#ifdef STORYSCOPE_HAS_IMAGING
#include "core/imaging/line_plot.h"
#include "core/imaging/png_metadata.h"
#endif

namespace fs = std::filesystem;
using namespace storyscope;

namespace storyscope::cli {
namespace {

const char* const kUsage =
    "usage: storyscope-cli shapes train --out DIR [--steps N] [--batch B] [--device cpu|cuda]\n"
    "         [--threads T] [--resume] [--preset cpu32|gpu64] [--checkpoint-every K] [--seed S]\n"
    "         [--lr LR] [--warmup N] [--validate-every N] [--fp16] [--high-noise-weight W]\n"
    "         [--no-memory-check]\n";

#ifdef STORYSCOPE_HAS_IMAGING
// train_log.csv -> loss_curve.png (raw loss, smoothed loss, validation with/without caption).
void write_loss_curve(const std::string& log_path, const std::string& png_path) {
  std::ifstream in(log_path);
  std::string line;
  std::getline(in, line);  // header
  PlotSeries raw{"loss", {}, {}, {170, 200, 230}}, smooth{"loss (smoothed)", {}, {}, {31, 119, 180}, 2};
  PlotSeries val_cap{"validation, caption", {}, {}, {44, 160, 44}, 2};
  PlotSeries val_empty{"validation, empty caption", {}, {}, {214, 39, 40}, 2};
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) f.push_back(cell);
    if (f.size() < 3) continue;
    try {
      const double step = std::stod(f[0]);
      raw.x.push_back(step);
      raw.y.push_back(std::stod(f[1]));
      smooth.x.push_back(step);
      smooth.y.push_back(std::stod(f[2]));
      if (f.size() >= 7 && !f[5].empty() && !f[6].empty()) {
        val_cap.x.push_back(step);
        val_cap.y.push_back(std::stod(f[5]));
        val_empty.x.push_back(step);
        val_empty.y.push_back(std::stod(f[6]));
      }
    } catch (const std::exception&) {
      // A torn line: skipped.
    }
  }
  LinePlotOptions o;
  o.title = "shapes-demo training loss";
  o.x_label = "step";
  o.y_label = "MSE";
  o.log_y = true;
  write_png(png_path, line_plot({raw, smooth, val_cap, val_empty}, o));
}
#endif

c10::Device parse_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::DeviceType::CPU);
  if (name == "cuda") {
    if (!torch::cuda::is_available())
      throw_bad_input("", "--device", "cuda asked for, but this LibTorch build sees no CUDA device");
    return c10::Device(c10::DeviceType::CUDA, 0);
  }
  throw_bad_input("", "--device", "must be cpu or cuda, not " + name);
}

int train_body(int argc, char** argv) {
  Args args(argc, argv,
            {"out", "steps", "batch", "device", "threads", "preset", "checkpoint-every", "seed", "lr",
             "warmup", "validate-every", "high-noise-weight"},
            {"resume", "fp16", "help", "no-memory-check"});
  if (args.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!args.positional().empty())
    throw_bad_input("", args.positional()[0], std::string("unexpected argument\n") + kUsage);
  const std::string out = args.require("out");
  const auto preset = parse_shapes_preset(args.get("preset").value_or("cpu32"));
  const int threads = static_cast<int>(
      args.get_int("threads", std::max(1, static_cast<int>(std::thread::hardware_concurrency()))));
  if (threads < 1) throw_bad_input("", "--threads", "must be >= 1");
  at::set_num_threads(threads);

  TrainerOptions o;
  o.out_dir = out;
  o.steps = args.get_int("steps", 20000);
  o.batch_size = static_cast<int>(args.get_int("batch", 32));
  o.device = parse_device(args.get("device").value_or("cpu"));
  o.seed = static_cast<std::uint64_t>(args.get_int("seed", 0));
  o.checkpoint_every = args.get_int("checkpoint-every", 500);
  o.validate_every = args.get_int("validate-every", 250);
  o.learning_rate = args.get_double("lr", o.learning_rate);
  o.warmup_steps = args.get_int("warmup", o.warmup_steps);
  o.high_noise_weight = args.get_double("high-noise-weight", o.high_noise_weight);
  o.export_fp16 = args.has("fp16");
  o.check_memory = !args.has("no-memory-check");
  if (o.steps < 1) throw_bad_input("", "--steps", "must be >= 1");
  if (o.batch_size < 1) throw_bad_input("", "--batch", "must be >= 1");

  const bool has_checkpoint = fs::exists(fs::path(out) / "checkpoint" / "state.json") ||
                              fs::exists(fs::path(out) / "checkpoint.old" / "state.json");
  if (has_checkpoint && !args.has("resume"))
    throw_bad_input(out, "checkpoint/",
                    "holds a training run: pass --resume to continue it, or another --out");

  // The tokenizer is generated (deterministically) into the output folder, which is also where
  // the exported pipeline reads it from.
  const std::string tokenizer_dir = (fs::path(out) / "tokenizer").string();
  write_shapes_tokenizer(tokenizer_dir);
  o.tokenizer_dir = tokenizer_dir;
  const ClipTokenizer tokenizer = ClipTokenizer::from_folder(tokenizer_dir);
  const ShapesModelConfig model =
      shapes_model_config(preset, {static_cast<std::int64_t>(tokenizer.vocab_size()), tokenizer.bos_id(),
                                   tokenizer.eos_id(), tokenizer.pad_id()});
  o.unet_config = model.unet;
  o.text_encoder_config = model.text_encoder;
  o.scheduler_config = model.scheduler;

  ShapesWorldDataOptions data_options;
  data_options.image_size = static_cast<int>(model.image_size);
  data_options.seed = o.seed;
  auto data = std::make_shared<ShapesWorldData>(data_options);

  install_interrupt_handler();
  DiffusionTrainer trainer(o, data);
  const bool resumed = args.has("resume") && trainer.resume();
  std::cerr << "shapes train: preset " << model.preset << ", " << model.image_size << "x" << model.image_size
            << ", " << trainer.parameter_count() << " parameters, batch " << o.batch_size << ", " << threads
            << " threads, device " << o.device.str() << "\n";
  if (resumed) std::cerr << "resumed at step " << trainer.step() << " from " << out << "/checkpoint\n";
  if (trainer.step() >= o.steps)
    std::cerr << "already at step " << trainer.step() << " of " << o.steps << "\n";

  CancellationToken cancel;
  ProgressBar bar("steps");
  const std::int64_t first = trainer.step();
  const bool tty = ::isatty(2) != 0;
  const TrainResult result = trainer.train(
      [&](const TrainProgress& p) {
        if (interrupted()) cancel.cancel();
        // Logs get a line every 10 steps; a terminal is redrawn every step.
        if (!tty && p.step % 10 != 0 && p.step != p.total) return;
        char prefix[160];
        std::snprintf(prefix, sizeof prefix, "step %lld/%lld loss %.4f (smoothed %.4f) lr %.2e |",
                      static_cast<long long>(p.step), static_cast<long long>(p.total), p.loss, p.ema_loss,
                      p.learning_rate);
        bar.update(static_cast<int>(p.step - first), static_cast<int>(p.total - first), prefix);
      },
      cancel);
  bar.finish();

  trainer.export_pipeline();
#ifdef STORYSCOPE_HAS_IMAGING
  write_loss_curve(trainer.log_path(), (fs::path(out) / "loss_curve.png").string());
#endif
  std::cerr << (result.cancelled ? "interrupted" : "finished") << " at step " << result.steps_done
            << " (smoothed loss " << result.ema_loss << "); checkpoint in " << out
            << "/checkpoint, pipeline (EMA weights) in " << out << "\n";
  if (result.cancelled) std::cerr << "continue with the same command plus --resume\n";
  return result.cancelled ? 130 : 0;
}

}  // namespace

int run_shapes_train(int argc, char** argv) { return run_command("shapes train", train_body, argc, argv); }

}  // namespace storyscope::cli
