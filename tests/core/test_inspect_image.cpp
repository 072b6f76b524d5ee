// inspect_image on the tiny e2e SD1.5 pipeline: a 32x32 image encoded, noised and run through
// the UNet once with an AttentionStore installed records the six cross-attention layers; the
// same seed gives the same maps, another timestep other maps.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <memory>

#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/common/error.h"
#include "core/pipeline/inspect_image.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/splitmix.h"
#include "fixtures.h"

using namespace storyscope;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;

namespace {

const char* const kPrompt = "a red fox in the snow";

}  // namespace

class TestInspectImage : public QObject {
  Q_OBJECT

  std::shared_ptr<ModelBundle> bundle_;
  at::Tensor image_;

  // Runs inspect_image with a fresh store and returns its records.
  AttentionRecordSet maps(double timestep, std::uint64_t seed, InspectResult* result = nullptr) {
    const ClipTokenizer& tok = bundle_->tokenizer();
    AttentionStoreOptions o;
    o.set_prompt(tok.encode_padded(kPrompt), {}, tok.bos_id(), tok.eos_id());
    auto store = std::make_shared<AttentionStore>(o);
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_observer(store);
    bundle_->unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });
    InspectRequest r;
    r.image = image_;
    r.prompt = kPrompt;
    r.timesteps = {timestep};
    r.seed = seed;
    InspectResult res = inspect_image(*bundle_, r);
    bundle_->unet()->set_attn_processor([](const LayerInfo&) { return AttentionProcessorPtr(); });
    if (result) *result = res;
    return store->records();
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    bundle_ = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
    // A smooth test picture in [-1, 1]: the splitmix values are uniform noise, so blur them.
    image_ = at::avg_pool2d(splitmix_input("inspect_image", {1, 3, 36, 36}), 5, 1).clamp(-1, 1);
    QCOMPARE(image_.size(2), std::int64_t(32));
  }

  void recordsSixCrossLayersForOneStep() {
    InspectResult res;
    const AttentionRecordSet set = maps(400, 7, &res);
    QCOMPARE(int(set.records.size()), 6);
    for (const auto& r : set.records) {
      QVERIFY(r.is_cross);
      QCOMPARE(r.step, 0);
      QCOMPARE(r.timestep, 400.0);
      // One row per real prompt token (the tiny vocabulary splits some words).
      QCOMPARE(r.probs.size(0), std::int64_t(bundle_->tokenizer().encode(kPrompt).ids.size()) - 2);
    }
    QCOMPARE(set.latent_height, std::int64_t(16));
    QCOMPARE(res.steps_done, 1);
    QCOMPARE(res.noisy_latents.size(), std::size_t(1));
    QCOMPARE(res.latents.sizes().vec(), (std::vector<std::int64_t>{1, 4, 16, 16}));
    QCOMPARE(res.noise_preds[0].sizes().vec(), (std::vector<std::int64_t>{1, 4, 16, 16}));
    // The noisy latents are the training forward process on the clean ones.
    const auto ac = make_alpha(400);
    const double d = max_abs_diff(res.noisy_latents[0], ac.first * res.latents + ac.second * res.noise);
    qInfo("noisy latents vs sqrt(a) x0 + sqrt(1-a) eps: max abs %.3g (tolerance 1e-6)", d);
    QVERIFY(d <= 1e-6);
    // Encoding is the posterior mean times the scaling factor.
    at::NoGradGuard no_grad;
    const at::Tensor mean = bundle_->vae()->encode(image_).mean * bundle_->vae()->config().scaling_factor;
    QCOMPARE(max_abs_diff(res.latents, mean), 0.0);
  }

  void sameSeedSameMaps() {
    const AttentionRecordSet a = maps(400, 7), b = maps(400, 7);
    QCOMPARE(a.records.size(), b.records.size());
    for (std::size_t i = 0; i < a.records.size(); ++i) {
      QCOMPARE(a.records[i].layer, b.records[i].layer);
      QCOMPARE(max_abs_diff(a.records[i].probs.to(at::kFloat), b.records[i].probs.to(at::kFloat)), 0.0);
    }
  }

  void otherTimestepOtherMaps() {
    const AttentionRecordSet a = maps(400, 7), b = maps(800, 7), c = maps(400, 8);
    double dt = 0, ds = 0;
    for (std::size_t i = 0; i < a.records.size(); ++i) {
      dt = std::max(dt, max_abs_diff(a.records[i].probs.to(at::kFloat), b.records[i].probs.to(at::kFloat)));
      ds = std::max(ds, max_abs_diff(a.records[i].probs.to(at::kFloat), c.records[i].probs.to(at::kFloat)));
    }
    qInfo("maps at t=400 vs t=800 differ by up to %.3g; seed 7 vs 8 by %.3g", dt, ds);
    QVERIFY(dt > 1e-4);
    QVERIFY(ds > 1e-4);
  }

  void timestepList() {
    InspectRequest r;
    r.image = image_;
    r.prompt = kPrompt;
    r.timesteps = {200, 600};
    r.guidance = 3.0;
    const InspectResult res = inspect_image(*bundle_, r);
    QCOMPARE(res.steps_done, 2);
    QCOMPARE(res.noise_preds.size(), std::size_t(2));
  }

  void badRequests() {
    InspectRequest r;
    r.image = image_;
    r.prompt = kPrompt;
    r.timesteps = {1000};
    QVERIFY_THROWS_EXCEPTION(Error, inspect_image(*bundle_, r));
    r.timesteps = {};
    QVERIFY_THROWS_EXCEPTION(Error, inspect_image(*bundle_, r));
    r.timesteps = {400};
    r.image = image_.narrow(2, 0, 20);
    QVERIFY_THROWS_EXCEPTION(Error, inspect_image(*bundle_, r));
  }

  void cleanupTestCase() { bundle_.reset(); }

 private:
  // sqrt(alphas_cumprod[t]) and sqrt(1 - alphas_cumprod[t]) of the scaled_linear schedule.
  std::pair<double, double> make_alpha(int t) const {
    const auto& c = bundle_->scheduler_config();
    const at::Tensor betas =
        at::linspace(std::sqrt(c.beta_start), std::sqrt(c.beta_end), c.num_train_timesteps, at::kFloat)
            .pow(2);
    const double ac = at::cumprod(1 - betas, 0)[t].item<double>();
    return {std::sqrt(ac), std::sqrt(1 - ac)};
  }
};

QTEST_APPLESS_MAIN(TestInspectImage)
#include "test_inspect_image.moc"
