// storyscope-cli extract: Break-A-Scene from the command line. One image and one mask per object
// in, a concept pack out (one new token per mask, "<asset0>", ..., plus the phase-2 weight
// deltas), usable with `generate|story|attend --concepts DIR`. Alignment of each token's
// attention with its mask is measured before and after training and stored in the pack's report.
//
// Ctrl-C stops after the step in progress, keeps the checkpoint in --out/checkpoint and writes
// no pack; the same command plus --resume continues where it stopped.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/interrupt.h"
#include "app/cli/model_args.h"
#include "app/cli/progress_bar.h"
#include "core/common/error.h"

#ifdef STORYSCOPE_HAS_IMAGING
#include "core/imaging/image_tensor.h"
#include "core/imaging/png_metadata.h"
#include "core/training/concept_alignment.h"
#include "core/training/concept_extractor.h"
#include "core/training/concept_losses.h"
#include "core/training/concept_pack.h"
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace storyscope;

namespace {

const char* const kUsage =
    "usage: storyscope-cli extract [--model M] --image IMG.png --mask MASK0.png [--mask MASK1.png ...]\n"
    "         [--init-word WORD ...] --out PACK_DIR [--phase1-steps 400] [--phase2-steps 400]\n"
    "         [--phase1-lr 5e-4] [--phase2-lr 2e-6] [--lambda-attn 0.01] [--batch 1] [--seed 0]\n"
    "         [--token-prefix asset] [--no-flip] [--threads N] [--checkpoint-every 100] [--resume]\n"
    "  One new token per mask (<asset0>, <asset1>, ...); --init-word, when given, once per mask, in\n"
    "  the same order. Ctrl-C keeps a checkpoint in PACK_DIR/checkpoint: add --resume to continue.\n";

#ifdef STORYSCOPE_HAS_IMAGING

std::int64_t non_negative(const cli::Args& args, const std::string& flag, std::int64_t fallback) {
  const std::int64_t v = args.get_int(flag, fallback);
  if (v < 0) throw_bad_input("", "--" + flag, "must be >= 0");
  return v;
}

double positive(const cli::Args& args, const std::string& flag, double fallback) {
  const double v = args.get_double(flag, fallback);
  if (!(v > 0) || !std::isfinite(v)) throw_bad_input("", "--" + flag, "must be a positive number");
  return v;
}

// The masks as [N, H, W] on the image's grid. A mask of another size is nearest-resized (as
// attend does, with a note, since another aspect ratio is stretched); an empty one is refused
// by name, since its token would have nothing to learn from.
at::Tensor read_masks(const std::vector<std::string>& files, std::int64_t height, std::int64_t width) {
  std::vector<at::Tensor> masks;
  for (const std::string& file : files) {
    at::Tensor m = read_mask_png(file);
    if (m.size(0) != height || m.size(1) != width) {
      std::cerr << "note: mask " << file << " is " << m.size(1) << "x" << m.size(0) << ", the image " << width
                << "x" << height << ": it is resized (nearest) to the image\n";
      m = nearest_resize(m.unsqueeze(0), height, width)[0];
    }
    // The extractor binarises at 0.5, so "empty" means no pixel reaches it.
    if (!(m >= 0.5).any().item<bool>())
      throw_bad_input(file, "", "the mask is empty (no pixel is at least half white/opaque)");
    masks.push_back(m.to(at::kFloat));
  }
  return at::stack(masks);
}

json alignment_json(const AlignmentScores& s) {
  return {{"iou", s.iou},
          {"mse", s.mse},
          {"mass_inside", s.mass_inside},
          {"best_iou", s.best_iou},
          {"best_tau", s.best_tau}};
}

json losses_json(const ConceptStepLosses& l) {
  return {{"diffusion", l.diffusion}, {"attention", l.attention}, {"total", l.total}};
}

int cmd_extract(int argc, char** argv) {
  cli::Args args(argc, argv,
                 {"model", "tokenizer", "config-from", "image", "mask", "init-word", "out", "phase1-steps",
                  "phase2-steps", "phase1-lr", "phase2-lr", "lambda-attn", "batch", "seed", "token-prefix",
                  "threads", "checkpoint-every"},
                 {"no-flip", "resume", "help"});
  if (args.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!args.positional().empty())
    throw_bad_input("", args.positional()[0], std::string("unexpected argument\n") + kUsage);
  const std::string image_path = args.require("image");
  const std::vector<std::string> mask_files = args.get_all("mask");
  if (mask_files.empty()) throw_bad_input("", "--mask", "is required (one mask PNG per object)");
  const std::vector<std::string> init_words = args.get_all("init-word");
  if (!init_words.empty() && init_words.size() != mask_files.size())
    throw_bad_input("", "--init-word",
                    std::to_string(init_words.size()) + " given for " + std::to_string(mask_files.size()) +
                        " masks: give one per --mask, in the same order, or none (each token then starts "
                        "from the mean embedding)");
  const fs::path out = args.require("out");

  ConceptExtractionOptions o;
  o.init_words = init_words;
  o.token_prefix = args.get("token-prefix").value_or(o.token_prefix);
  o.phase1_steps = non_negative(args, "phase1-steps", o.phase1_steps);
  o.phase2_steps = non_negative(args, "phase2-steps", o.phase2_steps);
  if (o.phase1_steps + o.phase2_steps < 1)
    throw_bad_input("", "--phase1-steps", "phase 1 and phase 2 together need at least one step");
  o.phase1_learning_rate = positive(args, "phase1-lr", o.phase1_learning_rate);
  o.phase2_learning_rate = positive(args, "phase2-lr", o.phase2_learning_rate);
  o.lambda_attention = args.get_double("lambda-attn", o.lambda_attention);
  if (!(o.lambda_attention >= 0) || !std::isfinite(o.lambda_attention))
    throw_bad_input("", "--lambda-attn", "must be >= 0");
  o.batch_size = static_cast<int>(args.get_int("batch", o.batch_size));
  if (o.batch_size < 1 || o.batch_size > 64) throw_bad_input("", "--batch", "must be in 1..64");
  o.flip = !args.has("no-flip");
  o.seed = static_cast<std::uint64_t>(args.get_int("seed", 0));
  o.checkpoint_every = args.get_int("checkpoint-every", o.checkpoint_every);
  o.out_dir = out.string();
  if (args.get("threads")) {
    const std::int64_t threads = args.get_int("threads", 1);
    if (threads < 1) throw_bad_input("", "--threads", "must be >= 1");
    at::set_num_threads(static_cast<int>(threads));
  }

  // A checkpoint left by an earlier run is never overwritten by accident.
  const bool has_checkpoint = fs::exists(out / "checkpoint" / "state.json");
  if (has_checkpoint && !args.has("resume"))
    throw_bad_input(out.string(), "checkpoint/",
                    "holds an extraction run: pass --resume to continue it, or another --out");

  // Inputs are read before the model, so a bad file fails fast.
  ConceptImage input;
  input.source = image_path;
  input.image = tensor_from_image(read_png(image_path), ValueRange::MinusOneToOne);
  input.masks = read_masks(mask_files, input.image.size(2), input.image.size(3));

  cli::install_interrupt_handler();
  // The extractor trains this bundle in place: a private float32 copy (the command takes no
  // --dtype and no --concepts, so it is always the plain base model).
  std::shared_ptr<ModelBundle> bundle = cli::load_model_from_args(args);
  if (cli::interrupted()) {
    std::cerr << "cancelled while loading the model; nothing written\n";
    return 130;
  }
  ConceptExtractor extractor(bundle, input, o);
  const std::vector<std::string>& tokens = extractor.tokens();

  // Before: the tokens as initialised (measured before a resume loads the learned rows).
  ConceptAlignmentOptions ao;
  ao.seed = o.seed;
  ao.phrasing = extractor.options().phrasing;
  std::cerr << "measuring alignment before training...\n";
  const std::vector<AlignmentScores> before =
      concept_alignment(*bundle, input.image, input.masks, tokens, ao);

  const bool resumed = args.has("resume") && extractor.resume();
  if (args.has("resume") && !resumed)
    std::cerr << "note: no checkpoint of this image, masks and options in " << (out / "checkpoint").string()
              << ": starting from step 0\n";
  std::cerr << "extract: " << tokens.size() << " token(s), " << o.phase1_steps << " + " << o.phase2_steps
            << " steps, batch " << o.batch_size << ", " << at::get_num_threads() << " threads\n";
  if (resumed)
    std::cerr << "resumed at step " << extractor.step() << " from " << out.string() << "/checkpoint\n";
  if (extractor.step() >= extractor.total_steps())
    std::cerr << "already at step " << extractor.step() << " of " << extractor.total_steps()
              << ": writing the pack (raise --phase1-steps/--phase2-steps to train longer)\n";

  CancellationToken cancel;
  cli::ProgressBar bar("steps");
  const std::int64_t first = extractor.step();
  const bool tty = ::isatty(2) != 0;
  const ExtractionResult result = extractor.run(
      [&](const ExtractionProgress& p) {
        if (cli::interrupted()) cancel.cancel();
        // Logs get a line every 10 steps; a terminal is redrawn every step.
        if (!tty && p.step % 10 != 0 && p.step != p.total) return;
        char prefix[160];
        std::snprintf(prefix, sizeof prefix, "step %lld/%lld phase %d diffusion %.4f attention %.4f |",
                      static_cast<long long>(p.step), static_cast<long long>(p.total), p.phase,
                      p.losses.diffusion, p.losses.attention);
        bar.update(static_cast<int>(p.step - first), static_cast<int>(p.total - first), prefix);
      },
      cancel);
  bar.finish();
  if (result.cancelled) {
    std::cerr << "interrupted at step " << extractor.step() << " of " << extractor.total_steps()
              << "; checkpoint in " << (out / "checkpoint").string()
              << ", no pack written. Continue with the same command plus --resume\n";
    return 130;
  }

  std::cerr << "measuring alignment after training...\n";
  const std::vector<AlignmentScores> after = concept_alignment(*bundle, input.image, input.masks, tokens, ao);

  ConceptPack pack = extractor.pack();
  if (!pack.report.is_object()) pack.report = json::object();
  json alignment = json::array();
  for (std::size_t i = 0; i < tokens.size(); ++i)
    alignment.push_back({{"token", tokens[i]},
                         {"init_word", i < init_words.size() ? init_words[i] : ""},
                         {"mask", mask_files[i]},
                         {"before", alignment_json(before[i])},
                         {"after", alignment_json(after[i])}});
  pack.report["alignment"] = alignment;
  pack.report["alignment_settings"] = {{"prompt", ao.phrasing->prompt(tokens)},
                                       {"timesteps", ao.timesteps},
                                       {"seed", ao.seed},
                                       {"resolution", ao.resolution},
                                       {"tau", ao.tau}};
  // A run resumed at its end trained no step here: it has no last losses to report.
  if (extractor.step() > first) pack.report["last_losses"] = losses_json(result.last);
  pack.report["steps_done"] = extractor.step();
  pack.report["image"] = image_path;
  save_concept_pack(out.string(), pack);

  std::cout << "learned " << tokens.size() << " concept(s) in " << extractor.step() << " steps";
  if (extractor.step() > first)
    std::cout << " (last losses: diffusion " << result.last.diffusion << ", attention "
              << result.last.attention << ")";
  std::cout << "\n";
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    char line[200];
    std::snprintf(line, sizeof line, "  %-10s %-12s IoU %.3f -> %.3f   MSE %.4f -> %.4f\n", tokens[i].c_str(),
                  i < init_words.size() ? ("(" + init_words[i] + ")").c_str() : "(mean)", before[i].iou,
                  after[i].iou, before[i].mse, after[i].mse);
    std::cout << line;
  }
  // Quoted when needed, so the example can be pasted as it is.
  const std::string shown =
      out.string().find_first_of(" \t'\"") == std::string::npos ? out.string() : "\"" + out.string() + "\"";
  std::cout << "pack: " << out.string() << "\n"
            << "try:  storyscope-cli generate --concepts " << shown << " --prompt \"" << tokens.front()
            << " on the grass\"\n";
  return 0;
}

#else

int cmd_extract(int, char**) {
  throw_bad_input("", "extract",
                  "this build has no imaging support (OpenCV); reading the image and masks needs it");
}

#endif

}  // namespace

STORYSCOPE_CLI_COMMAND(
    "extract", cmd_extract,
    "a token per masked object of one image (Break-A-Scene), as a concept pack ([--model M] "
    "--image IMG --mask M0.png ... --out PACK)");
