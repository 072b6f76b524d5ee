#pragma once
// A real frame for the GUI analysis tests: the tiny SD 1.5 pipeline of the fixtures run in
// process with an AttentionStore (as `storyscope-cli attend` does) and the predicted x0 of every
// step collected, packed into the FrameData the widgets take.
#include <ATen/ATen.h>

#include <QImage>
#include <memory>
#include <string>

#include "core/analysis/attention_views.h"
#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/imaging/image_tensor.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "ui/frame_data.h"
#include "ui/heatmap_image.h"

#ifndef STORYSCOPE_FIXTURES_DIR
#define STORYSCOPE_FIXTURES_DIR "../shared/fixtures"
#endif

namespace storyscope::testing {

struct FrameOptions {
  std::string prompt = "a red fox in the snow";
  int steps = 4;
  std::int64_t size = 64;  // image side in pixels
  bool per_head = false;
  std::vector<std::int64_t> self_resolutions;  // self-attention grids to record (for self-pca)
};

class PreviewCollector : public RunObserver {
 public:
  bool wants_preview() const override { return true; }
  void on_step_preview(int step, const at::Tensor& x0) override {
    if (static_cast<int>(previews.size()) <= step) previews.resize(static_cast<std::size_t>(step) + 1);
    previews[static_cast<std::size_t>(step)] = ui::to_qimage(image_from_tensor(x0[0], ValueRange::ZeroToOne));
  }
  std::vector<QImage> previews;
};

inline std::shared_ptr<ModelBundle> tiny_bundle() {
  static std::shared_ptr<ModelBundle> bundle =
      ModelBundle::load_diffusers_folder(std::string(STORYSCOPE_FIXTURES_DIR) + "/e2e/tiny_sd15_pipeline");
  return bundle;
}

inline ui::FramePtr make_frame(const FrameOptions& o = {}) {
  auto bundle = tiny_bundle();
  const ClipTokenizer& tokenizer = bundle->tokenizer();
  auto frame = std::make_shared<ui::FrameData>();
  frame->prompt = QString::fromStdString(o.prompt);
  frame->encoding = tokenizer.encode(o.prompt);
  const std::int64_t factor = bundle->vae_scale_factor();

  AttentionStoreOptions so;
  so.set_prompt(frame->encoding.ids, frame->encoding.tokens, tokenizer.bos_id(), tokenizer.eos_id());
  so.latent_height = o.size / factor;
  so.latent_width = o.size / factor;
  so.per_head = o.per_head;
  so.self_attention_resolutions = o.self_resolutions;
  auto store = std::make_shared<AttentionStore>(so);
  auto processor = std::make_shared<ComposableAttentionProcessor>();
  processor->add_observer(store);
  bundle->unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });

  Txt2ImgRequest req;
  req.prompt = o.prompt;
  req.steps = o.steps;
  req.guidance = 7.5;
  req.width = o.size;
  req.height = o.size;
  req.seed = 7;
  PreviewCollector previews;
  const Txt2ImgResult r = Txt2Img(bundle).run(req, &previews);
  bundle->unet()->set_attn_processor([](const LayerInfo&) { return AttentionProcessorPtr(); });

  frame->image = ui::to_qimage(image_from_tensor(r.images[0], ValueRange::ZeroToOne));
  frame->x0_steps = previews.previews;
  frame->records = std::make_shared<AttentionRecordSet>(store->records());
  return frame;
}

}  // namespace storyscope::testing

namespace storyscope::testing {

// What the widgets should show for a Layer/P2P view at word level, computed with the core views
// directly: the unnormalised view, then word_maps with `norm`.
inline at::Tensor expected_word_maps(const AttentionRecordSet& set, const std::vector<WordSpan>& spans,
                                     const std::string& layer, StepRange steps, MapNorm norm) {
  return word_maps(layer_view(set, layer, steps), spans, norm);
}

inline bool same_maps(const at::Tensor& a, const at::Tensor& b, double tol = 1e-6) {
  return a.defined() && b.defined() && a.sizes() == b.sizes() && at::allclose(a, b, tol, tol);
}

// A mask QImage read pixel by pixel into [H, W] {0, 1} (independent of the widgets' conversion).
inline at::Tensor mask_from_pixels(const QImage& mask) {
  at::Tensor t = at::zeros({mask.height(), mask.width()}, at::kFloat);
  auto a = t.accessor<float, 2>();
  for (int y = 0; y < mask.height(); ++y)
    for (int x = 0; x < mask.width(); ++x) a[y][x] = qGray(mask.pixel(x, y)) >= 128 ? 1.f : 0.f;
  return t;
}

}  // namespace storyscope::testing
