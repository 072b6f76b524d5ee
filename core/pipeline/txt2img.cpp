#include "core/pipeline/txt2img.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn.h>

#include <chrono>
#include <cmath>

#include "core/common/error.h"
#include "core/schedulers/factory.h"

namespace storyscope {
namespace {

constexpr const char* kRequest = "txt2img request";

[[noreturn]] void bad_field(const std::string& field, const std::string& rule) {
  throw_bad_input(kRequest, field, rule);
}

at::Generator make_cpu_generator(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

at::Tensor draw_noise(at::Generator& gen, int batch, std::int64_t c, std::int64_t h, std::int64_t w) {
  std::vector<at::Tensor> images;
  images.reserve(static_cast<std::size_t>(batch));
  for (int i = 0; i < batch; ++i)
    images.push_back(at::randn({1, c, h, w}, gen, at::TensorOptions().dtype(at::kFloat)));
  return at::cat(images, 0);
}

std::int64_t resolved_size(std::int64_t requested, const ModelBundle& bundle) {
  return requested != 0 ? requested : bundle.default_image_size();
}

bool stochastic_step(const Scheduler& scheduler, double eta) {
  return scheduler.name() == "DDPMScheduler" || (scheduler.name() == "DDIMScheduler" && eta > 0.0);
}

}  // namespace

at::Tensor seeded_noise(std::uint64_t seed, int batch, std::int64_t channels, std::int64_t height,
                        std::int64_t width) {
  at::Generator gen = make_cpu_generator(seed);
  return draw_noise(gen, batch, channels, height, width);
}

at::Tensor decode_latents(ModelBundle& bundle, const at::Tensor& latents) {
  at::NoGradGuard no_grad;
  at::Tensor x = latents.to(at::kFloat);
  if (bundle.has_vae()) {
    const VAEConfig& cfg = bundle.vae()->config();
    if (cfg.latents_mean && cfg.latents_std) {
      const auto stats = [&](const std::vector<double>& v) {
        return at::tensor(v, at::kDouble).to(at::kFloat).view({1, -1, 1, 1}).to(x.device());
      };
      x = x * stats(*cfg.latents_std) / cfg.scaling_factor + stats(*cfg.latents_mean);
    } else {
      x = x / cfg.scaling_factor;
      if (cfg.shift_factor) x = x + *cfg.shift_factor;
    }
    x = bundle.vae()->decode(x.to(bundle.vae_dtype())).to(at::kFloat);
  }
  return (x / 2 + 0.5).clamp(0, 1).to(at::kCPU);
}

Txt2Img::Txt2Img(std::shared_ptr<ModelBundle> bundle) : bundle_(std::move(bundle)) {
  if (!bundle_) throw_bad_input(kRequest, "model", "no model loaded");
}

void Txt2Img::validate(const Txt2ImgRequest& r) const {
  const ModelBundle& b = *bundle_;
  const std::int64_t train_steps = b.scheduler_config().num_train_timesteps;
  if (r.steps < 1 || r.steps > train_steps)
    bad_field("steps",
              "must be between 1 and " + std::to_string(train_steps) + ", not " + std::to_string(r.steps));
  if (!std::isfinite(r.guidance) || r.guidance < 0)
    bad_field("guidance", "must be a finite number >= 0 (<= 1 turns guidance off)");
  if (!std::isfinite(r.eta) || r.eta < 0) bad_field("eta", "must be a finite number >= 0");
  if (r.batch < 1) bad_field("batch", "must be at least 1");
  const std::int64_t factor = b.vae_scale_factor();
  const std::int64_t multiple = factor > 8 ? factor : 8;
  using Field = std::pair<const char*, std::int64_t>;
  for (const auto& [field, requested] : std::vector<Field>{{"width", r.width}, {"height", r.height}}) {
    const std::int64_t v = resolved_size(requested, b);
    if (requested == 0 && v == 0)
      bad_field(field, "the model has no default size (unet sample_size): give one");
    if (v < 0 || v % multiple != 0 || v % factor != 0)
      bad_field(field,
                "must be a positive multiple of " + std::to_string(multiple) + ", not " + std::to_string(v));
  }
  if (!r.sampler.empty()) {
    try {
      (void)scheduler_class_for(r.sampler);
    } catch (const Error& e) {
      bad_field("sampler", e.rule());
    }
  }
  if (r.embeddings) {
    const PromptEmbeddings& e = *r.embeddings;
    const bool cfg = r.guidance > 1.0;
    const auto check_rows = [&](const at::Tensor& t, const char* name, bool needed) {
      if (!t.defined()) {
        if (needed) bad_field(std::string("embeddings.") + name, "is required with these settings");
        return;
      }
      if (t.dim() < 2 || (t.size(0) != 1 && t.size(0) != r.batch))
        bad_field(std::string("embeddings.") + name, "must have 1 or batch (" + std::to_string(r.batch) +
                                                         ") rows, got shape " +
                                                         shape_to_string(t.sizes().vec()));
    };
    const bool pooled = bundle_->unet()->config().has_text_time();
    check_rows(e.prompt_embeds, "prompt_embeds", true);
    check_rows(e.negative_prompt_embeds, "negative_prompt_embeds", cfg);
    check_rows(e.pooled_prompt_embeds, "pooled_prompt_embeds", pooled);
    check_rows(e.negative_pooled_prompt_embeds, "negative_pooled_prompt_embeds", pooled && cfg);
  }
  if (r.ip_adapter) validate_ip_adapter_input(*r.ip_adapter, r.batch, r.guidance > 1.0, kRequest);
  if (r.init_latents.defined()) {
    const std::vector<std::int64_t> want{r.batch, b.latent_channels(), resolved_size(r.height, b) / factor,
                                         resolved_size(r.width, b) / factor};
    if (r.init_latents.sizes().vec() != want || !r.init_latents.is_floating_point())
      bad_field("init_latents", "must be a floating tensor of shape " + shape_to_string(want) + ", got " +
                                    shape_to_string(r.init_latents.sizes().vec()));
  }
}

Txt2ImgResult Txt2Img::run(const Txt2ImgRequest& r, RunObserver* observer,
                           const CancellationToken& cancel) const {
  validate(r);
  at::NoGradGuard no_grad;
  ModelBundle& b = *bundle_;
  const c10::Device device = b.device();
  const c10::ScalarType dtype = b.dtype();

  Txt2ImgResult out;
  out.width = resolved_size(r.width, b);
  out.height = resolved_size(r.height, b);
  const bool cfg = r.guidance > 1.0;
  const std::int64_t batch = r.batch;

  std::unique_ptr<Scheduler> scheduler = make_scheduler(b.scheduler_config(), r.sampler);
  scheduler->set_timesteps(r.steps);
  out.scheduler = scheduler->name();
  out.timesteps = scheduler->timesteps().to(at::kDouble);

  // Text conditioning, batched as diffusers does: [uncond x B; cond x B] under CFG.
  out.embeddings = r.embeddings ? *r.embeddings : encode_prompt(b, r.prompt, r.negative, cfg);
  const PromptEmbeddings& e = out.embeddings;
  const auto rows = [&](const at::Tensor& t) {
    return t.size(0) == batch ? t : at::cat(std::vector<at::Tensor>(batch, t), 0);
  };
  at::Tensor context = rows(e.prompt_embeds);
  if (cfg) context = at::cat({rows(e.negative_prompt_embeds), context}, 0);
  UNetAddedCond added;
  if (b.unet()->config().has_text_time()) {
    if (!e.pooled_prompt_embeds.defined())
      throw_model_error(b.source(), "text_encoder_2",
                        "the UNet needs pooled text embeddings (SDXL) but the model has one text encoder");
    const double h = static_cast<double>(out.height), w = static_cast<double>(out.width);
    const at::Tensor time_ids =
        at::tensor(std::vector<double>{h, w, 0, 0, h, w}, at::kDouble).to(dtype).view({1, 6}).to(device);
    added.text_embeds = rows(e.pooled_prompt_embeds);
    added.time_ids = rows(time_ids);
    if (cfg) {
      added.text_embeds = at::cat({rows(e.negative_pooled_prompt_embeds), added.text_embeds}, 0);
      added.time_ids = at::cat({added.time_ids, added.time_ids}, 0);
    }
  }
  // The image prompt's tokens, in the context's row order; the adapter leaves with the run.
  std::unique_ptr<ScopedIPAdapter> ip_adapter;
  if (r.ip_adapter)
    ip_adapter = std::make_unique<ScopedIPAdapter>(*b.unet(), *r.ip_adapter,
                                                   ip_adapter_tokens(*r.ip_adapter, batch, cfg));
  StepInfo step_info;
  for (std::int64_t i = cfg ? batch : 0; i < (cfg ? 2 * batch : batch); ++i) step_info.cond_rows.push_back(i);

  // Start noise, then scaled by init_noise_sigma as the pipelines do with `latents=`.
  at::Generator gen = make_cpu_generator(r.seed);
  const std::int64_t factor = b.vae_scale_factor();
  at::Tensor latents = r.init_latents.defined() ? r.init_latents.to(at::kFloat)
                                                : draw_noise(gen, r.batch, b.latent_channels(),
                                                             out.height / factor, out.width / factor);
  latents = latents.to(device, at::kFloat) * scheduler->init_noise_sigma();

  const std::vector<double> timesteps = scheduler->timestep_values();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < timesteps.size(); ++i) {
    if (cancel.cancelled()) break;
    const double t = timesteps[i];
    step_info.index = static_cast<int>(i);
    step_info.timestep = t;
    at::Tensor model_in = cfg ? at::cat({latents, latents}, 0) : latents;
    model_in = scheduler->scale_model_input(model_in, t);
    const at::Tensor t_tensor = scheduler->timesteps()[static_cast<std::int64_t>(i)].to(device);
    const at::Tensor noise_pred_raw =
        b.unet()->forward(model_in.to(dtype), t_tensor, context, added, step_info);
    if (observer)
      observer->on_unet_call(UNetCall{static_cast<int>(i), t, model_in, context, added, noise_pred_raw});
    at::Tensor noise_pred = noise_pred_raw.to(at::kFloat);
    if (cfg) {
      const auto halves = noise_pred.chunk(2, 0);
      noise_pred = halves[0] + r.guidance * (halves[1] - halves[0]);
    }
    StepOptions options;
    options.eta = r.eta;
    if (stochastic_step(*scheduler, r.eta))
      options.variance_noise =
          at::randn(latents.sizes(), gen, at::TensorOptions().dtype(at::kFloat)).to(device);
    StepResult res = scheduler->step(noise_pred, t, latents, options);
    latents = res.prev_sample;
    out.predicted_x0 = res.pred_original_sample;
    out.steps_done = static_cast<int>(i) + 1;

    if (observer) {
      observer->on_latents(static_cast<int>(i), latents);
      if (observer->wants_preview())
        observer->on_step_preview(static_cast<int>(i), decode_latents(b, res.pred_original_sample));
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      RunProgress p;
      p.step = out.steps_done;
      p.total = static_cast<int>(timesteps.size());
      p.elapsed_seconds = elapsed;
      p.steps_per_second = elapsed > 0 ? out.steps_done / elapsed : 0.0;
      observer->on_progress(p);
    }
  }
  out.latents = latents;
  out.cancelled = out.steps_done < static_cast<int>(timesteps.size());
  if (!out.cancelled) out.images = decode_latents(b, latents);
  return out;
}

}  // namespace storyscope
