#include "core/pipeline/story.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <deque>
#include <exception>

#include "core/attention/composable_processor.h"
#include "core/attention/ipca.h"
#include "core/common/error.h"
#include "core/common/memory.h"
#include "core/models/unet/default_processors_guard.h"
#include "core/pipeline/memory_estimate.h"
#include "core/pipeline/txt2img.h"

namespace storyscope {
namespace {

constexpr int kMaxAutoBatch = 4;

// Forwards the per-step callbacks of one batch, saying which frame they belong to.
class BatchObserver : public RunObserver {
 public:
  BatchObserver(StoryObserver* outer, int first_frame, int frames)
      : outer_(outer), first_(first_frame), frames_(frames) {}
  void on_progress(const RunProgress& p) override {
    RunProgress q = p;
    q.frame = first_;
    q.frames = frames_;
    outer_->on_progress(q);
  }
  bool wants_preview() const override { return outer_->wants_preview(); }
  void on_step_preview(int step, const at::Tensor& x0) override { outer_->on_step_preview(step, x0); }
  void on_latents(int step, const at::Tensor& latents) override { outer_->on_latents(step, latents); }
  void on_unet_call(const UNetCall& call) override { outer_->on_unet_call(call); }

 private:
  StoryObserver* outer_;
  int first_, frames_;
};

std::int64_t resolved(std::int64_t requested, const ModelBundle& b) {
  return requested != 0 ? requested : b.default_image_size();
}

// The largest batch (<= kMaxAutoBatch) whose estimated working set fits in half the memory
// available now: the other half is left for the weights' page cache and the rest of the system.
int automatic_batch(ModelBundle& b, int frames, bool cfg, std::int64_t lh, std::int64_t lw) {
  const std::int64_t available = memory_available_for_runs();
  std::optional<VAEConfig> vae;
  if (b.has_vae()) vae = b.vae()->config();
  const std::int64_t element = static_cast<std::int64_t>(c10::elementSize(b.dtype()));
  int batch = 1;
  for (int n = 2; n <= std::min(frames, kMaxAutoBatch); ++n) {
    const MemoryEstimate e = estimate_run_memory(b.unet()->config(), vae, (cfg ? 2 : 1) * n, lh, lw, element);
    if (available <= 0 || e.total_bytes() > available / 2) break;
    batch = n;
  }
  return batch;
}

PromptEmbeddings stack_embeddings(const std::vector<FrameConditioning>& conds) {
  PromptEmbeddings e = conds.front().embeddings;
  if (conds.size() == 1) return e;
  const auto stack = [&](at::Tensor PromptEmbeddings::*field) {
    std::vector<at::Tensor> rows;
    for (const auto& c : conds) rows.push_back(c.embeddings.*field);
    return at::cat(rows, 0);
  };
  e.prompt_embeds = stack(&PromptEmbeddings::prompt_embeds);
  if (e.pooled_prompt_embeds.defined())
    e.pooled_prompt_embeds = stack(&PromptEmbeddings::pooled_prompt_embeds);
  // The negative side is the same for every frame: one row serves the batch.
  return e;
}

}  // namespace

at::Tensor story_frame_noise(const StorySpec& spec, int frame, std::int64_t channels,
                             std::int64_t latent_height, std::int64_t latent_width) {
  const std::uint64_t seed = spec.same_noise ? spec.seed : spec.seed + static_cast<std::uint64_t>(frame);
  return seeded_noise(seed, 1, channels, latent_height, latent_width);
}

StoryPipeline::StoryPipeline(std::shared_ptr<ModelBundle> bundle) : bundle_(std::move(bundle)) {
  if (!bundle_) throw_bad_input("story", "model", "no model loaded");
}

void StoryPipeline::validate(const StorySpec& spec, const std::string& source) const {
  validate_story(spec, source);
  Txt2ImgRequest r;
  r.steps = spec.steps;
  r.guidance = spec.guidance;
  r.sampler = spec.sampler;
  r.width = spec.width;
  r.height = spec.height;
  try {
    Txt2Img(bundle_).validate(r);
  } catch (const Error& e) {
    throw_bad_input(source, e.location(), e.rule());
  }
  (void)story_window_size(*bundle_, spec, source);
}

StoryResult StoryPipeline::run(const StorySpec& spec, const StoryRunOptions& options, StoryObserver* observer,
                               const CancellationToken& cancel) const {
  validate(spec);
  ModelBundle& b = *bundle_;
  StoryResult out;
  out.window_size = story_window_size(b, spec);
  out.width = resolved(spec.width, b);
  out.height = resolved(spec.height, b);
  const std::int64_t factor = b.vae_scale_factor();
  const std::int64_t lh = out.height / factor, lw = out.width / factor;
  const bool cfg = spec.guidance > 1.0;

  std::vector<int> todo = options.frames;
  if (todo.empty())
    for (int j = 0; j < static_cast<int>(spec.frames.size()); ++j) todo.push_back(j);
  for (const int j : todo)
    if (j < 0 || j >= static_cast<int>(spec.frames.size()))
      throw_bad_input("story", "frames",
                      "frame " + std::to_string(j) + " does not exist (the story has " +
                          std::to_string(spec.frames.size()) + " frames)");

  int batch = options.record_attention ? 1
              : options.max_batch > 0  ? options.max_batch
                                       : automatic_batch(b, static_cast<int>(todo.size()), cfg, lh, lw);
  batch = std::max(1, std::min(batch, static_cast<int>(todo.size())));
  out.batch = batch;

  auto processor = std::make_shared<ComposableAttentionProcessor>();
  std::shared_ptr<IpcaModifier> ipca;
  if (spec.ipca) {
    IpcaOptions io;
    io.positions = spec.ipca_positions;
    io.start_step = spec.ipca_start_step;
    io.dropout = spec.ipca_dropout;
    io.seed = spec.seed;
    ipca = std::make_shared<IpcaModifier>(io);
    processor->add_modifier(ipca);
  }
  DefaultProcessorsGuard reset(b.unet());
  b.unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });

  std::deque<std::vector<int>> batches;
  for (std::size_t start = 0; start < todo.size(); start += static_cast<std::size_t>(batch))
    batches.emplace_back(todo.begin() + static_cast<std::ptrdiff_t>(start),
                         todo.begin() + static_cast<std::ptrdiff_t>(std::min(todo.size(), start + batch)));

  const Txt2Img txt2img(bundle_);
  while (!batches.empty() && !cancel.cancelled()) {
    const std::vector<int> frames = std::move(batches.front());
    batches.pop_front();
    try {
      std::vector<FrameConditioning> conds;
      for (const int j : frames) conds.push_back(story_frame_conditioning(b, spec, j, out.window_size));

      std::shared_ptr<AttentionStore> store;
      if (options.record_attention) {
        AttentionStoreOptions so = options.attention;
        const ConsolidatedPrompt& p = conds.front().encoders.front().prompt;
        const ClipTokenizer& tok = b.tokenizer();
        const Encoding enc = tok.encode(p.text);
        std::vector<std::string> tokens(p.ids.size());
        for (std::size_t i = 0; i < tokens.size() && i < enc.tokens.size(); ++i) tokens[i] = enc.tokens[i];
        so.set_prompt(p.ids, tokens, tok.bos_id(), tok.eos_id());
        so.latent_height = lh;
        so.latent_width = lw;
        store = std::make_shared<AttentionStore>(so);
        processor->add_observer(store);
      }
      if (ipca) {
        std::vector<at::Tensor> identity;
        std::vector<std::uint64_t> row_keys;  // dropout masks follow the frame, not its batch
        for (const auto& c : conds) {
          identity.push_back(c.identity_context);
          row_keys.push_back(static_cast<std::uint64_t>(c.frame));
        }
        ipca->set_identity(at::cat(identity, 0), conds.front().identity_keep, row_keys);
      }

      Txt2ImgRequest r;
      r.steps = spec.steps;
      r.guidance = spec.guidance;
      r.sampler = spec.sampler;
      r.seed = spec.seed;
      r.width = out.width;
      r.height = out.height;
      r.batch = static_cast<int>(frames.size());
      std::vector<at::Tensor> noise;
      for (const int j : frames) noise.push_back(story_frame_noise(spec, j, b.latent_channels(), lh, lw));
      r.init_latents = at::cat(noise, 0);
      r.embeddings = stack_embeddings(conds);
      r.ip_adapter = options.ip_adapter;

      BatchObserver batch_observer(observer, frames.front(), static_cast<int>(spec.frames.size()));
      Txt2ImgResult res = txt2img.run(r, observer ? &batch_observer : nullptr, cancel);
      if (store) processor->remove_observer(store.get());
      out.scheduler = res.scheduler;
      if (res.cancelled) {
        out.cancelled = true;
        break;
      }
      for (std::size_t i = 0; i < frames.size(); ++i) {
        StoryFrame f;
        f.index = frames[i];
        f.image = res.images.slice(0, static_cast<std::int64_t>(i), static_cast<std::int64_t>(i) + 1).clone();
        f.prompt = conds[i].encoders.front().prompt.text;
        f.window = conds[i].encoders.front().prompt.window;
        if (store) {
          f.records = store->records();
          f.attention_warnings = store->warnings();
        }
        if (observer) observer->on_frame(f);
        out.frames.push_back(std::move(f));
      }
    } catch (const std::exception& e) {
      // One failing batch (out of memory, a NaN guard) must not take the finished frames with it.
      processor->clear();
      if (ipca) processor->add_modifier(ipca);
      if (frames.size() > 1) {
        // Retry its frames one at a time, so only a frame that fails on its own is reported
        // (and a batch too large for memory still renders). Keeps frame order.
        for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
          const bool done = std::any_of(out.frames.begin(), out.frames.end(),
                                        [&](const StoryFrame& f) { return f.index == *it; });
          if (!done) batches.push_front({*it});  // an on_frame that threw may follow finished ones
        }
        continue;
      }
      StoryFailure failure{frames.front(), e.what()};
      if (observer) observer->on_frame_failed(failure);
      out.failures.push_back(failure);
    }
  }
  if (cancel.cancelled()) out.cancelled = out.cancelled || out.frames.size() < todo.size();
  return out;
}

}  // namespace storyscope
