// storyscope-cli generate: text to image from a diffusers folder or a single-file checkpoint,
// with a progress bar, Ctrl-C that finishes the current step and writes nothing partial, and
// PNGs carrying their generation parameters (A1111 "parameters" + a "storyscope" JSON chunk).
#include <ATen/ATen.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/init_latents.h"
#include "app/cli/intermediates_recorder.h"
#include "app/cli/interrupt.h"
#include "app/cli/ip_adapter_args.h"
#include "app/cli/model_args.h"
#include "app/cli/progress_bar.h"
#include "core/common/error.h"
#include "core/pipeline/memory_estimate.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"
#ifdef STORYSCOPE_HAS_IMAGING
#include "core/imaging/image_tensor.h"
#include "core/imaging/png_metadata.h"
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace storyscope;

namespace {

// Progress and Ctrl-C; hands the tensors on to `recorder` (--save-intermediates) when given.
class CliObserver : public RunObserver {
 public:
  CliObserver(CancellationToken token, RunObserver* recorder)
      : token_(std::move(token)), recorder_(recorder), bar_("step") {}
  void on_progress(const RunProgress& p) override {
    bar_.update(p.step, p.total);
    if (cli::interrupted()) token_.cancel();
  }
  void on_latents(int step, const at::Tensor& latents) override {
    if (recorder_) recorder_->on_latents(step, latents);
  }
  void on_unet_call(const UNetCall& call) override {
    if (recorder_) recorder_->on_unet_call(call);
  }
  void finish() { bar_.finish(); }

 private:
  CancellationToken token_;
  RunObserver* recorder_;
  cli::ProgressBar bar_;
};

// The pipeline names request fields ("steps"); the user typed flags ("--steps").
void validate_as_flags(const Txt2Img& pipeline, const Txt2ImgRequest& req) {
  try {
    pipeline.validate(req);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::BadInput || e.file() != "txt2img request" || e.location().empty()) throw;
    std::string flag = e.location();
    for (char& c : flag)
      if (c == '_') c = '-';
    throw_bad_input("", "--" + flag, e.rule());
  }
}

std::vector<std::string> output_paths(const std::string& out, int batch, std::uint64_t seed) {
  std::string base = out.empty() ? "storyscope-" + std::to_string(seed) + ".png" : out;
  if (fs::is_directory(base) || (!base.empty() && base.back() == '/'))
    base = (fs::path(base) / ("storyscope-" + std::to_string(seed) + ".png")).string();
  if (batch == 1) return {base};
  const fs::path p(base);
  std::vector<std::string> paths;
  for (int i = 0; i < batch; ++i)
    paths.push_back(
        (p.parent_path() / (p.stem().string() + "-" + std::to_string(i) + p.extension().string())).string());
  return paths;
}

int cmd_generate(int argc, char** argv) {
  cli::Args args(argc, argv,
                 cli::with_ip_adapter_flags({"model", "tokenizer", "config-from", "prompt", "negative",
                                             "steps", "guidance", "sampler", "seed", "width", "height",
                                             "batch", "init-latents", "init-latents-key", "out", "dtype",
                                             "eta", "save-intermediates", "concepts"}),
                 {"no-memory-check"});
  Txt2ImgRequest req;
  req.prompt = args.require("prompt");
  if (auto neg = args.get("negative")) req.negative = *neg;
  req.steps = static_cast<int>(args.get_int("steps", 30));
  req.guidance = args.get_double("guidance", 7.5);
  req.sampler = args.get("sampler").value_or("");
  req.eta = args.get_double("eta", 0.0);
  req.width = args.get_int("width", 0);
  req.height = args.get_int("height", 0);
  req.batch = static_cast<int>(args.get_int("batch", 1));
  const bool seed_given = args.get("seed").has_value();
  req.seed = seed_given ? static_cast<std::uint64_t>(args.get_int("seed", 0))
                        : (static_cast<std::uint64_t>(std::random_device{}()) << 20) ^ std::random_device{}();
  if (auto init = args.get("init-latents"))
    req.init_latents = cli::read_init_latents(*init, args.get("init-latents-key").value_or(""));

  // Installed before loading so Ctrl-C during a long load also exits 130 without a trace.
  cli::install_interrupt_handler();
  auto bundle = cli::load_model_from_args(args);
  if (cli::interrupted()) {
    std::cerr << "cancelled while loading the model; nothing written\n";
    return 130;
  }
  req.ip_adapter = cli::ip_adapter_from_args(args, *bundle);
  Txt2Img pipeline(bundle);
  validate_as_flags(pipeline, req);
  const std::int64_t width = req.width ? req.width : bundle->default_image_size();
  const std::int64_t height = req.height ? req.height : bundle->default_image_size();
  if (!args.has("no-memory-check")) {
    const std::int64_t factor = bundle->vae_scale_factor();
    const auto est = estimate_run_memory(
        bundle->unet()->config(),
        bundle->has_vae() ? std::optional<VAEConfig>(bundle->vae()->config()) : std::nullopt,
        req.batch * (req.guidance > 1.0 ? 2 : 1), height / factor, width / factor,
        c10::elementSize(bundle->dtype()));
    check_memory_available(est.total_bytes(), "--width/--height/--batch");
  }
  if (!seed_given) std::cerr << "seed " << req.seed << "\n";

  CancellationToken token;
  const std::string intermediates_path = args.get("save-intermediates").value_or("");
  cli::IntermediatesRecorder recorder;
  CliObserver observer(token, intermediates_path.empty() ? nullptr : &recorder);
  const Txt2ImgResult result = pipeline.run(req, &observer, token);
  observer.finish();
  if (result.embeddings.chunks > 1)
    std::cerr << "prompt is " << result.embeddings.prompt_tokens << " tokens (negative "
              << result.embeddings.negative_tokens << "): encoded in " << result.embeddings.chunks
              << " chunks of " << bundle->tokenizer().model_max_length() << "\n";
  if (result.cancelled) {
    std::cerr << "cancelled after " << result.steps_done << " of " << req.steps
              << " steps; nothing written\n";
    return 130;
  }

  const std::string model_name = fs::path(bundle->source()).filename().string();
  const json settings = {{"prompt", req.prompt},
                         {"negative", req.negative ? json(*req.negative) : json(nullptr)},
                         {"steps", req.steps},
                         {"guidance", req.guidance},
                         {"sampler", result.scheduler},
                         {"seed", req.seed},
                         {"width", result.width},
                         {"height", result.height},
                         {"batch", req.batch},
                         {"eta", req.eta},
                         {"init_latents", args.get("init-latents").value_or("")},
                         {"model", fs::absolute(bundle->source()).string()},  // usable from any folder
                         {"family", family_name(bundle->family())},
                         {"dtype", args.get("dtype").value_or("fp32")},
                         {"generator", "LibTorch CPU mt19937, at::randn float32, batch drawn in sequence"}};
  const auto paths = output_paths(args.get("out").value_or(""), req.batch, req.seed);
  for (int i = 0; i < req.batch; ++i) {
#ifdef STORYSCOPE_HAS_IMAGING
    GenerationParameters p;
    p.prompt = req.prompt;
    p.negative_prompt = req.negative.value_or("");
    p.steps = req.steps;
    p.sampler = a1111_sampler_name(result.scheduler);
    p.cfg_scale = req.guidance;
    p.seed = req.seed;
    p.width = static_cast<int>(result.width);
    p.height = static_cast<int>(result.height);
    p.model = model_name;
    if (req.batch > 1) p.extra["Batch index"] = std::to_string(i);
    json s = settings;
    s["batch_index"] = i;
    write_generation_png(paths[i], image_from_tensor(result.images[i], ValueRange::ZeroToOne), p, s);
#else
    write_safetensors(paths[i] + ".safetensors", {{"image", result.images[i].contiguous()}},
                      {{"storyscope", settings.dump()}});
#endif
    std::cout << paths[i] << "\n";
  }
  if (!intermediates_path.empty()) {
    recorder.write(intermediates_path, result, {{"storyscope", settings.dump()}});
    std::cout << intermediates_path << "\n";
  }
  return 0;
}

}  // namespace

STORYSCOPE_CLI_COMMAND(
    "generate", cmd_generate,
    "text to image ([--model DIR|FILE] [--concepts PACK ...] --prompt TEXT ...), writes PNGs with "
    "metadata");
