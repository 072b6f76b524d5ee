#include "core/pipeline/inspect_image.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>

#include "core/common/error.h"
#include "core/pipeline/txt2img.h"
#include "core/schedulers/factory.h"
#include "core/tensor/state_dict.h"

namespace storyscope {

namespace {

constexpr const char* kRequest = "inspect request";

[[noreturn]] void bad_field(const std::string& field, const std::string& rule) {
  throw_bad_input(kRequest, field, rule);
}

void validate(ModelBundle& b, const InspectRequest& r) {
  const at::Tensor& img = r.image;
  if (!img.defined() || img.dim() != 4 || img.size(0) != 1 || img.size(1) != 3 || !img.is_floating_point())
    bad_field("image", "must be a floating tensor [1,3,H,W] in [-1,1], got " +
                           (img.defined() ? shape_to_string(img.sizes().vec()) : std::string("none")));
  const std::int64_t factor = b.vae_scale_factor();
  const std::int64_t multiple = factor > 8 ? factor : 8;
  if (img.size(2) % multiple != 0 || img.size(3) % multiple != 0)
    bad_field("image", "height and width must be multiples of " + std::to_string(multiple) + ", got " +
                           std::to_string(img.size(2)) + "x" + std::to_string(img.size(3)));
  if (r.timesteps.empty()) bad_field("timesteps", "give at least one timestep");
  const std::int64_t train = b.scheduler_config().num_train_timesteps;
  for (double t : r.timesteps)
    if (!std::isfinite(t) || t != std::floor(t) || t < 0 || t >= static_cast<double>(train))
      bad_field("timesteps",
                "each must be an integer in [0, " + std::to_string(train) + "), not " + std::to_string(t));
  if (!std::isfinite(r.guidance) || r.guidance < 0)
    bad_field("guidance", "must be a finite number >= 0 (<= 1 turns guidance off)");
}

}  // namespace

at::Tensor encode_image_latents(ModelBundle& bundle, const at::Tensor& image) {
  at::NoGradGuard no_grad;
  const at::Tensor x = image.to(bundle.device(), at::kFloat);
  if (!bundle.has_vae()) return x;
  const VAEConfig& cfg = bundle.vae()->config();
  at::Tensor z = bundle.vae()->encode(x.to(bundle.vae_dtype())).mean.to(at::kFloat);
  if (cfg.latents_mean && cfg.latents_std) {
    const auto stats = [&](const std::vector<double>& v) {
      return at::tensor(v, at::kDouble).to(at::kFloat).view({1, -1, 1, 1}).to(z.device());
    };
    return (z - stats(*cfg.latents_mean)) * cfg.scaling_factor / stats(*cfg.latents_std);
  }
  if (cfg.shift_factor) z = z - *cfg.shift_factor;
  return z * cfg.scaling_factor;
}

InspectResult inspect_image(ModelBundle& b, const InspectRequest& r, RunObserver* observer,
                            const CancellationToken& cancel) {
  validate(b, r);
  at::NoGradGuard no_grad;
  const c10::Device device = b.device();
  const c10::ScalarType dtype = b.dtype();
  const bool cfg = r.guidance > 1.0;

  InspectResult out;
  out.height = r.image.size(2);
  out.width = r.image.size(3);
  out.timesteps = r.timesteps;
  // DDPM's add_noise is the training forward process on the model's beta schedule.
  const std::unique_ptr<Scheduler> scheduler = make_scheduler(b.scheduler_config(), "ddpm");

  out.embeddings = encode_prompt(b, r.prompt, r.negative, cfg);
  const PromptEmbeddings& e = out.embeddings;
  at::Tensor context = cfg ? at::cat({e.negative_prompt_embeds, e.prompt_embeds}, 0) : e.prompt_embeds;
  UNetAddedCond added;
  if (b.unet()->config().has_text_time()) {
    if (!e.pooled_prompt_embeds.defined())
      throw_model_error(b.source(), "text_encoder_2",
                        "the UNet needs pooled text embeddings (SDXL) but the model has one text encoder");
    const double h = static_cast<double>(out.height), w = static_cast<double>(out.width);
    added.time_ids =
        at::tensor(std::vector<double>{h, w, 0, 0, h, w}, at::kDouble).to(dtype).view({1, 6}).to(device);
    added.text_embeds = e.pooled_prompt_embeds;
    if (cfg) {
      added.text_embeds = at::cat({e.negative_pooled_prompt_embeds, added.text_embeds}, 0);
      added.time_ids = at::cat({added.time_ids, added.time_ids}, 0);
    }
  }
  StepInfo step_info;
  step_info.cond_rows = {cfg ? 1 : 0};

  out.latents = encode_image_latents(b, r.image);
  out.noise = seeded_noise(r.seed, 1, out.latents.size(1), out.latents.size(2), out.latents.size(3));
  const at::Tensor noise = out.noise.to(device);

  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < r.timesteps.size(); ++i) {
    if (cancel.cancelled()) {
      out.cancelled = true;
      break;
    }
    const double t = r.timesteps[i];
    step_info.index = static_cast<int>(i);
    step_info.timestep = t;
    const at::Tensor noisy = scheduler->add_noise(out.latents, noise, t);
    const at::Tensor model_in = cfg ? at::cat({noisy, noisy}, 0) : noisy;
    const at::Tensor t_tensor = at::scalar_tensor(static_cast<std::int64_t>(t), at::kLong).to(device);
    const at::Tensor raw = b.unet()->forward(model_in.to(dtype), t_tensor, context, added, step_info);
    if (observer) observer->on_unet_call(UNetCall{static_cast<int>(i), t, model_in, context, added, raw});
    at::Tensor pred = raw.to(at::kFloat);
    if (cfg) {
      const auto halves = pred.chunk(2, 0);
      pred = halves[0] + r.guidance * (halves[1] - halves[0]);
    }
    out.noisy_latents.push_back(noisy.to(at::kCPU));
    out.noise_preds.push_back(pred.to(at::kCPU));
    out.steps_done = static_cast<int>(i) + 1;
    if (observer) {
      observer->on_latents(static_cast<int>(i), noisy);
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      RunProgress p;
      p.step = out.steps_done;
      p.total = static_cast<int>(r.timesteps.size());
      p.elapsed_seconds = elapsed;
      p.steps_per_second = elapsed > 0 ? out.steps_done / elapsed : 0.0;
      observer->on_progress(p);
    }
  }
  out.latents = out.latents.to(at::kCPU);
  return out;
}

}  // namespace storyscope
