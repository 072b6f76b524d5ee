// Break-A-Scene's pieces (core/training): the two loss terms on hand-made tensors, placeholder
// tokens, the differentiable attention capture, phase 1 leaving every other embedding row and
// every weight bit-exact, a seeded short run lowering both losses, resume == uninterrupted run,
// and concept packs (save/load/apply, refusal on another base) on the shipped demo model.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <filesystem>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/demo/shapes_world.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "core/training/concept_alignment.h"
#include "core/training/concept_extractor.h"
#include "core/training/concept_losses.h"
#include "core/training/concept_pack.h"
#include "core/training/concept_tokens.h"
#include "core/training/diffusion_noising.h"
#include "core/training/training_attention.h"

using namespace storyscope;
namespace fs = std::filesystem;

namespace {

std::string demo_dir() { return std::string(STORYSCOPE_SOURCE_DIR) + "/resources/models/shapes-demo"; }

std::shared_ptr<ModelBundle> fresh_demo() { return ModelBundle::load_diffusers_folder(demo_dir()); }

at::Tensor token_table(ModelBundle& b) {
  return b.text_encoder()->text_model->embeddings->token_embedding->weight;
}

// A two-object shapes-world scene at the model's 32 px: image [1,3,32,32] in [-1,1] and one
// coverage mask per object [2,32,32].
ConceptImage two_object_scene(std::uint64_t seed = 3) {
  const shapes::Scene scene =
      shapes::scene_from_caption("a big red circle on the left next to a blue square", seed);
  const shapes::Render r = shapes::render(scene, 32);
  ConceptImage in;
  in.image = (r.image * 2 - 1).unsqueeze(0);
  in.masks = at::stack({r.coverage[0], r.coverage[1]}, 0);
  in.source = "scene";
  return in;
}

ConceptExtractionOptions short_options(std::int64_t p1, std::int64_t p2) {
  ConceptExtractionOptions o;
  o.init_words = {"circle", "square"};
  o.phase1_steps = p1;
  o.phase2_steps = p2;
  o.seed = 7;
  return o;
}

bool same(const at::Tensor& a, const at::Tensor& b) { return a.sizes() == b.sizes() && at::equal(a, b); }

}  // namespace

class TestConceptTraining : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void maskedDiffusionLossOnHandTensors() {
    const at::Tensor pred = at::tensor({1.f, 2.f, 3.f, 4.f}).view({1, 1, 2, 2});
    const at::Tensor target = at::zeros({1, 1, 2, 2});
    const at::Tensor mask = at::tensor({1.f, 0.f, 0.f, 1.f}).view({1, 1, 2, 2});
    // (1^2 + 0 + 0 + 4^2) / 4: masked-out elements count as zeros, no renormalisation.
    QCOMPARE(masked_diffusion_loss(pred, target, mask).item<double>(), 4.25);
    // A [B, h, w] mask broadcasts over channels the same way.
    const at::Tensor pred2 = at::cat({pred, pred * 2}, 1);  // 2 channels
    QCOMPARE(masked_diffusion_loss(pred2, at::zeros_like(pred2), mask.view({1, 2, 2})).item<double>(),
             (17.0 + 68.0) / 8);
  }

  void attentionLossOnHandTensors() {
    const at::Tensor map = at::tensor({0.f, 2.f, 4.f, 0.f}).view({2, 2});
    const at::Tensor mask = at::tensor({0.f, 1.f, 1.f, 0.f}).view({2, 2});
    // A / max A = [0, .5, 1, 0] against [0, 1, 1, 0]: (0.5^2) / 4.
    QCOMPARE(attention_mask_loss(map, mask).item<double>(), 0.0625);
    // No attention at all: compared with zeros, not NaN.
    QCOMPARE(attention_mask_loss(at::zeros({2, 2}), mask).item<double>(), 0.5);
    // The gradient reaches the map (the loss trains what produced it).
    const at::Tensor leaf = map.clone().set_requires_grad(true);
    attention_mask_loss(leaf, mask).backward();
    QVERIFY(leaf.grad().defined());
    QVERIFY(leaf.grad().abs().sum().item<double>() > 0);
  }

  void nearestResizeFollowsPytorch() {
    const at::Tensor m = at::arange(16, at::kFloat).view({4, 4});
    QVERIFY(same(nearest_resize(m, 2, 2), at::tensor({0.f, 2.f, 8.f, 10.f}).view({2, 2})));
    // Upsampling 2 -> 5: source rows floor(i * 2 / 5) = 0 0 0 1 1 (F.interpolate "nearest").
    const at::Tensor up = nearest_resize(at::tensor({1.f, 2.f}).view({2, 1}), 5, 1);
    QVERIFY(same(up, at::tensor({1.f, 1.f, 1.f, 2.f, 2.f}).view({5, 1})));
  }

  void velocityTarget() {
    const at::Tensor ac = at::tensor({0.25f, 0.64f});
    const at::Tensor x0 = at::full({2, 1}, 2.0f), eps = at::full({2, 1}, 1.0f);
    const at::Tensor t = at::tensor({0L, 1L});
    QVERIFY(same(diffusion_target("epsilon", ac, x0, eps, t, "s"), eps));
    const at::Tensor v = diffusion_target("v_prediction", ac, x0, eps, t, "s");
    QVERIFY(at::allclose(v, at::tensor({0.5f * 1 - std::sqrt(0.75f) * 2, 0.8f * 1 - 0.6f * 2}).view({2, 1})));
    QVERIFY(at::allclose(noisy_sample(ac, x0, eps, t),
                         at::tensor({0.5f * 2 + std::sqrt(0.75f), 0.8f * 2 + 0.6f}).view({2, 1})));
    QVERIFY_THROWS_EXCEPTION(Error, diffusion_target("sample", ac, x0, eps, t, "s"));
  }

  void placeholderTokensBecomeOneTokenEach() {
    auto b = fresh_demo();
    const auto before = b->tokenizer().id_limit();
    const at::Tensor circle = initial_token_embedding(*b, "circle");
    const auto circle_id = b->tokenizer().encode("circle").ids[1];
    QVERIFY(same(circle, token_table(*b)[circle_id]));
    const auto ids = add_concept_tokens(*b, {"<asset0>", "<asset1>"}, at::stack({circle, circle * 2}, 0));
    QCOMPARE(ids, (std::vector<std::int64_t>{before, before + 1}));
    const Encoding e = b->tokenizer().encode("a <asset1> next to a <asset0>");
    QCOMPARE(e.ids.size(), std::size_t(8));  // bos a <asset1> next to a <asset0> eos
    QCOMPARE(e.ids[2], before + 1);
    QCOMPARE(e.ids[6], before);
    QVERIFY(same(token_table(*b)[before + 1], circle * 2));
    // The text encoder takes the new ids.
    const auto padded = b->tokenizer().encode_padded("<asset0> on the grass");
    const at::Tensor out = b->text_encoder()->forward(at::tensor(padded).view({1, -1})).last_hidden_state;
    QVERIFY(at::isfinite(out).all().item<bool>());
    // Clashes, spaces, duplicates: refused with nothing changed.
    const auto rows = token_table(*b).size(0);
    QVERIFY_THROWS_EXCEPTION(Error, add_concept_tokens(*b, {"<asset0>"}, circle.view({1, -1})));
    QVERIFY_THROWS_EXCEPTION(Error, add_concept_tokens(*b, {"<a b>"}, circle.view({1, -1})));
    QVERIFY_THROWS_EXCEPTION(Error, add_concept_tokens(*b, {"<x>", "<x>"}, at::stack({circle, circle})));
    QVERIFY_THROWS_EXCEPTION(Error, add_concept_tokens(*b, {"<y>"}, at::zeros({1, 3})));
    QCOMPARE(token_table(*b).size(0), rows);
    QVERIFY_THROWS_EXCEPTION(Error, initial_token_embedding(*b, "   "));
  }

  void attentionCaptureKeepsGradients() {
    auto b = fresh_demo();
    auto capture = std::make_shared<TrainingAttentionCapture>(16);
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_observer(capture);
    b->unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });
    at::Tensor table = token_table(*b);
    table.set_requires_grad(true);
    const auto ids = b->tokenizer().encode_padded("a red circle");
    const at::Tensor ctx = b->text_encoder()->forward(at::tensor(ids).view({1, -1})).last_hidden_state;
    b->unet()->forward(at::zeros({1, 3, 32, 32}), at::tensor({500L}), ctx);
    // The demo UNet's 16x16 cross layers: one in down_blocks.1, and up_blocks.1's.
    QVERIFY(capture->layers_seen() >= 2);
    const at::Tensor maps = capture->p2p_maps();
    QCOMPARE(maps.sizes().vec(), (std::vector<std::int64_t>{1, 16, 16, 77}));
    // Each query's attention sums to 1 over the keys (a mean of softmaxes).
    QVERIFY(at::allclose(maps.sum(-1), at::ones({1, 16, 16}), 1e-4, 1e-5));
    maps.select(-1, 3).sum().backward();
    QVERIFY(table.grad().defined());
    QVERIFY(table.grad()[ids[3]].abs().sum().item<double>() > 0);
    b->unet()->set_attn_processor([](const LayerInfo&) { return AttentionProcessorPtr(); });
  }

  void phaseOneChangesOnlyTheNewRows() {
    auto b = fresh_demo();
    std::vector<at::Tensor> before;
    for (const auto& [name, p] : concept_trainable_parameters(*b)) before.push_back(p.detach().clone());
    ConceptExtractor x(b, two_object_scene(), short_options(6, 0));
    const at::Tensor rows0 = token_table(*b).narrow(0, x.token_ids()[0], 2).detach().clone();
    x.run();
    QCOMPARE(x.step(), std::int64_t(6));
    const auto after = concept_trainable_parameters(*b);
    for (std::size_t i = 0; i < after.size(); ++i) {
      at::Tensor now = after[i].second.detach();
      if (after[i].first == "text_encoder.text_model.embeddings.token_embedding.weight") {
        // every old row bit-exact, the new rows moved
        QVERIFY(same(now.narrow(0, 0, before[i].size(0)), before[i]));
        QVERIFY(!same(now.narrow(0, x.token_ids()[0], 2), rows0));
      } else {
        QVERIFY2(same(now, before[i]), after[i].first.c_str());
      }
    }
    const ConceptPack pack = x.pack();
    QCOMPARE(pack.concepts.size(), std::size_t(2));
    QVERIFY(pack.weight_deltas.empty());  // phase 1 only
  }

  void seededShortRunLowersBothLosses() {
    auto b = fresh_demo();
    ConceptExtractor x(b, two_object_scene(), short_options(60, 20));
    const ConceptStepLosses before = x.evaluate(11, 8);
    x.run();
    const ConceptStepLosses after = x.evaluate(11, 8);
    qInfo("diffusion %.5f -> %.5f, attention %.5f -> %.5f", before.diffusion, after.diffusion,
          before.attention, after.attention);
    QVERIFY(after.diffusion < before.diffusion);
    QVERIFY(after.attention < before.attention);
    const ConceptPack pack = x.pack();
    QVERIFY(!pack.weight_deltas.empty());  // phase 2 moved the UNet / text encoder
  }

  void resumeEqualsUninterruptedRun() {
    QTemporaryDir tmp;
    const std::string out = tmp.path().toStdString() + "/run";
    auto straight = fresh_demo();
    ConceptExtractor a(straight, two_object_scene(), short_options(4, 4));
    a.run();
    // Two stops: inside phase 1, and inside phase 2.
    for (std::int64_t stop : {3, 6, 8}) {
      auto b = fresh_demo();
      auto o = short_options(4, 4);
      o.out_dir = out;
      ConceptExtractor x(b, two_object_scene(), o);
      x.resume();
      CancellationToken cancel;
      x.run(
          [&](const ExtractionProgress& p) {
            if (p.step >= stop) cancel.cancel();
          },
          cancel);
      QCOMPARE(x.step(), stop);
    }
    auto b = fresh_demo();
    auto o = short_options(4, 4);
    o.out_dir = out;
    ConceptExtractor x(b, two_object_scene(), o);
    QVERIFY(x.resume());
    QCOMPARE(x.step(), std::int64_t(8));
    const auto pa = concept_trainable_parameters(*straight), pb = concept_trainable_parameters(*b);
    for (std::size_t i = 0; i < pa.size(); ++i)
      QVERIFY2(same(pa[i].second, pb[i].second), pa[i].first.c_str());
    // Another image into the same folder is refused, not silently mixed.
    auto c = fresh_demo();
    ConceptExtractor other(c, two_object_scene(99), o);
    QVERIFY_THROWS_EXCEPTION(Error, other.resume());
  }

  void packRoundTripAndApply() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString() + "/pack";
    auto b = fresh_demo();
    ConceptExtractor x(b, two_object_scene(), short_options(3, 2));
    x.run();
    const ConceptPack made = x.pack();
    save_concept_pack(dir, made);
    const ConceptPack loaded = load_concept_pack(dir);
    QCOMPARE(loaded.concepts.size(), std::size_t(2));
    QCOMPARE(loaded.concepts[1].token, std::string("<asset1>"));
    QCOMPARE(loaded.concepts[1].init_word, std::string("square"));
    QVERIFY(same(loaded.concepts[0].embedding, made.concepts[0].embedding));
    QCOMPARE(loaded.weight_deltas.size(), made.weight_deltas.size());

    // On a fresh base: same tokens, same rows, weights = base + delta to float16 precision of the delta.
    auto fresh = fresh_demo();
    apply_concept_packs(*fresh, {loaded});
    const auto id = fresh->tokenizer().encode("<asset0>").ids;
    QCOMPARE(id.size(), std::size_t(3));
    QCOMPARE(id[1], x.token_ids()[0]);
    QVERIFY(same(token_table(*fresh)[id[1]], made.concepts[0].embedding));
    const auto trained = concept_trainable_parameters(*b), applied = concept_trainable_parameters(*fresh);
    double worst = 0;
    for (std::size_t i = 0; i < trained.size(); ++i)
      worst = std::max(worst, (trained[i].second - applied[i].second).abs().max().item<double>());
    QVERIFY2(worst < 1e-6, std::to_string(worst).c_str());
    // The same pack twice: token clash, refused.
    QVERIFY_THROWS_EXCEPTION(Error, apply_concept_packs(*fresh, {loaded}));
    // The pack generates: "<asset0> on the grass".
    Txt2ImgRequest req;
    req.prompt = "<asset0> on the grass";
    req.steps = 2;
    req.guidance = 2.0;
    const at::Tensor images = Txt2Img(fresh).run(req).images;
    QVERIFY(images.defined() && at::isfinite(images).all().item<bool>());

    // Another model of the same architecture: refused by the probe, nothing changed.
    auto other = fresh_demo();
    {
      at::NoGradGuard no_grad;
      auto params = concept_trainable_parameters(*other);
      params[5].second.set_data(params[5].second + 0.01);
    }
    const auto rows = token_table(*other).size(0);
    QVERIFY_THROWS_EXCEPTION(Error, apply_concept_packs(*other, {loaded}));
    QCOMPARE(token_table(*other).size(0), rows);

    // Broken files name themselves.
    write_file_atomically(dir + "/concepts.json", "{\"format\": \"storyscope-concepts\", ");
    try {
      load_concept_pack(dir);
      QFAIL("a broken concepts.json loaded");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("concepts.json") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, load_concept_pack(tmp.path().toStdString() + "/missing"));
  }

  void alignmentOfTheSourceImage() {
    auto b = fresh_demo();
    ConceptExtractor x(b, two_object_scene(), short_options(1, 0));
    const ConceptImage in = two_object_scene();
    const auto scores = concept_alignment(*b, in.image, in.masks, x.tokens());
    QCOMPARE(scores.size(), std::size_t(2));
    for (const auto& s : scores) {
      QVERIFY(s.iou >= 0 && s.iou <= 1);
      QVERIFY(s.mse >= 0 && s.mse <= 1);
    }
  }

  void badInputIsRefused() {
    auto b = fresh_demo();
    ConceptImage in = two_object_scene();
    auto o = short_options(1, 0);
    o.init_words = {"circle"};  // two masks
    QVERIFY_THROWS_EXCEPTION(Error, ConceptExtractor(b, in, o));
    in.masks[1].zero_();
    QVERIFY_THROWS_EXCEPTION(Error, ConceptExtractor(fresh_demo(), in, short_options(1, 0)));
    ConceptImage wrong = two_object_scene();
    wrong.masks = wrong.masks.narrow(1, 0, 16);
    QVERIFY_THROWS_EXCEPTION(Error, ConceptExtractor(fresh_demo(), wrong, short_options(1, 0)));
    // 16 px: the demo UNet's cross layers run at 8 and 4, none at the loss's 16x16.
    ConceptImage tiny = two_object_scene();
    tiny.image = tiny.image.narrow(2, 0, 16).narrow(3, 0, 16);
    tiny.masks = at::ones({2, 16, 16});
    try {
      ConceptExtractor(fresh_demo(), tiny, short_options(1, 0));
      QFAIL("a size without 16x16 cross-attention was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("cross-attention") != std::string::npos, e.what());
    }
    LoadSettings half;
    half.dtype = at::kHalf;
    QVERIFY_THROWS_EXCEPTION(Error, ConceptExtractor(ModelBundle::load_diffusers_folder(demo_dir(), half),
                                                     two_object_scene(), short_options(1, 0)));
  }
};

QTEST_APPLESS_MAIN(TestConceptTraining)
#include "test_concept_training.moc"
