// Attention views and mask alignment on synthetic AttentionRecordSets whose maps are known: a
// Gaussian blob must peak where it was put, each view must read exactly the layers it is defined
// on, and the alignment scores must match hand-computed values.
#include <ATen/ATen.h>
#include <torch/nn/functional/upsampling.h>

#include <QtTest/QtTest>
#include <cmath>
#include <functional>

#include "core/analysis/alignment.h"
#include "core/analysis/attention_views.h"
#include "core/common/error.h"
#include "core/text/clip_tokenizer.h"
#include "fixtures.h"

using namespace storyscope;

namespace {

at::Tensor blob(std::int64_t h, std::int64_t w, double cy, double cx, double sigma, double amp = 1.0) {
  auto y = at::arange(h, at::kDouble).view({h, 1}), x = at::arange(w, at::kDouble).view({1, w});
  return (amp * at::exp(-((y - cy).pow(2) + (x - cx).pow(2)) / (2 * sigma * sigma))).to(at::kFloat);
}

// maps [tokens, h, w] (or [heads, tokens, h, w] when per_head) -> a cross record, stored in fp16
// as the store does.
AttentionRecord cross(const std::string& layer, Place place, std::int64_t h, std::int64_t w, int step,
                      const at::Tensor& maps, bool per_head = false) {
  AttentionRecord r;
  r.layer = layer;
  r.place = place;
  r.is_cross = true;
  r.height = maps.size(-2);
  r.width = maps.size(-1);
  r.native_height = h;
  r.native_width = w;
  r.step = step;
  r.timestep = 1000 - 100 * step;
  r.per_head = per_head;
  auto flat = per_head ? maps.reshape({maps.size(0), maps.size(1), -1}) : maps.reshape({maps.size(0), -1});
  r.probs = flat.to(at::kHalf);
  return r;
}

AttentionRecordSet empty_set(int tokens, std::int64_t latent = 64) {
  AttentionRecordSet set;
  for (int i = 0; i < tokens; ++i) {
    set.token_positions.push_back(i + 1);
    set.tokens.push_back("t" + std::to_string(i));
    set.token_ids.push_back(100 + i);
  }
  set.latent_height = set.latent_width = latent;
  return set;
}

// The fp16 round trip the store applies, so expectations use the same values.
at::Tensor h16(const at::Tensor& t) { return t.to(at::kHalf).to(at::kFloat); }

std::pair<std::int64_t, std::int64_t> argmax2d(const at::Tensor& map) {
  const auto i = map.flatten().argmax().item<std::int64_t>();
  return {i / map.size(1), i % map.size(1)};
}

QString error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

const std::string kDown2 = "down_blocks.2.attentions.0.transformer_blocks.0.attn2";
const std::string kUp1 = "up_blocks.1.attentions.0.transformer_blocks.0.attn2";

}  // namespace

class TestAttentionViews : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void crossAttentionGridsScaleWithTheLatent() {
    // A UNet with sample_size 64: down cross at native 64 and 32, mid at 8, up cross at 16, and a
    // self-attention layer at 64. A 48x32 latent runs the 64-high layers at 32/1, the 32-high
    // at 32/2, the 16-high at 32/4; mid and self layers are not p2p layers.
    auto layer = [](Place place, bool cross, std::int64_t h) {
      LayerInfo l;
      l.place = place;
      l.is_cross = cross;
      l.height = h;
      l.width = h;
      return l;
    };
    const std::vector<LayerInfo> layers = {layer(Place::Down, true, 64), layer(Place::Down, true, 32),
                                           layer(Place::Mid, true, 8), layer(Place::Up, true, 16),
                                           layer(Place::Down, false, 64)};
    QCOMPARE(cross_attention_grids(layers, 64, 48, 32), (std::set<std::int64_t>{32, 16, 8}));
    QCOMPARE(cross_attention_grids(layers, 64, 64, 64), (std::set<std::int64_t>{64, 32, 16}));
    QVERIFY(cross_attention_grids(layers, 0, 64, 64).empty());  // unknown sample size
    QVERIFY(cross_attention_grids({layer(Place::Mid, true, 8)}, 64, 64, 64).empty());
  }

  void layerViewMeansTheStepRange() {
    auto set = empty_set(2);
    for (int s = 0; s < 3; ++s) {
      auto maps = at::stack({at::full({16, 16}, 0.25 * (s + 1)), at::full({16, 16}, 0.125)});
      set.records.push_back(cross(kDown2, Place::Down, 16, 16, s, maps));
    }
    auto v01 = layer_view(set, kDown2, {0, 1});
    QCOMPARE(v01.sizes().vec(), (std::vector<std::int64_t>{2, 16, 16}));
    QCOMPARE(v01.scalar_type(), at::kFloat);
    QCOMPARE(v01[0].min().item<double>(), 0.375);
    QCOMPARE(v01[0].max().item<double>(), 0.375);
    QCOMPARE(layer_view(set, kDown2, StepRange::single(2))[0].max().item<double>(), 0.75);
    QCOMPARE(layer_view(set, kDown2)[0].max().item<double>(), 0.5);
    QCOMPARE(layer_view(set, kDown2, {1, -1})[0].max().item<double>(), 0.625);
    QCOMPARE(layer_view(set, kDown2)[1].max().item<double>(), 0.125);
  }

  void layerViewMeansHeadsAndPooledSteps() {
    auto set = empty_set(1);
    auto heads = at::stack({at::full({1, 16, 16}, 0.25), at::full({1, 16, 16}, 0.75)});
    set.records.push_back(cross(kUp1, Place::Up, 16, 16, 0, heads, /*per_head=*/true));
    // Step 1 pooled by the store to 8x8.
    set.records.push_back(cross(kUp1, Place::Up, 16, 16, 1, at::full({1, 8, 8}, 1.0)));
    auto v = layer_view(set, kUp1);
    QCOMPARE(v.sizes().vec(), (std::vector<std::int64_t>{1, 16, 16}));
    QVERIFY(testing::max_abs_diff(v, at::full({1, 16, 16}, 0.75)) < 1e-7);
  }

  void p2pPeaksAtTheBlobAndReadsOnlyDownUpAtR() {
    auto set = empty_set(2);
    const double amps[] = {1.0, 0.5, 0.75, 0.25, 0.5};
    at::Tensor expected = at::zeros({16, 16});
    int i = 0;
    for (const auto& [name, place] : std::vector<std::pair<std::string, Place>>{
             {"down_blocks.2.attentions.0.transformer_blocks.0.attn2", Place::Down},
             {"down_blocks.2.attentions.1.transformer_blocks.0.attn2", Place::Down},
             {"up_blocks.1.attentions.0.transformer_blocks.0.attn2", Place::Up},
             {"up_blocks.1.attentions.1.transformer_blocks.0.attn2", Place::Up},
             {"up_blocks.1.attentions.2.transformer_blocks.0.attn2", Place::Up}}) {
      auto maps = at::stack({blob(16, 16, 4, 10, 1.5, amps[i]), at::full({16, 16}, 0.5)});
      expected += h16(maps[0]);
      set.records.push_back(cross(name, place, 16, 16, 0, maps));
      ++i;
    }
    // Distractors the view must ignore: the mid block at 16x16 (as on the tiny UNet) and a 32x32
    // layer, each with a strong blob elsewhere.
    set.records.push_back(cross("mid_block.attentions.0.transformer_blocks.0.attn2", Place::Mid, 16, 16, 0,
                                at::stack({blob(16, 16, 12, 3, 1.5, 50.0), at::zeros({16, 16})})));
    set.records.push_back(cross("up_blocks.2.attentions.0.transformer_blocks.0.attn2", Place::Up, 32, 32, 0,
                                at::stack({blob(32, 32, 28, 4, 2, 50.0), at::zeros({32, 32})})));
    auto v = p2p_view(set);
    QCOMPARE(v.sizes().vec(), (std::vector<std::int64_t>{2, 16, 16}));
    QCOMPARE(argmax2d(v[0]), (std::pair<std::int64_t, std::int64_t>{4, 10}));
    expected /= expected.max();
    const double diff = testing::max_abs_diff(v[0], expected);
    qInfo("p2p vs hand mean of the five down/up 16x16 layers: max abs diff %.3g", diff);
    QVERIFY(diff < 1e-6);
    QCOMPARE(v[0].max().item<double>(), 1.0);
    // A constant token divided by its max is 1 everywhere.
    QCOMPARE(v[1].min().item<double>(), 1.0);
    // The unnormalised mean keeps the scale.
    QVERIFY(std::abs(p2p_view(set, {}, 16, {Place::Down, Place::Up}, 0, false)[1].max().item<double>() -
                     0.5) < 1e-7);
    // Asking for the 32x32 up layers reads the distractor.
    QCOMPARE(argmax2d(p2p_view(set, {}, 32)[0]), (std::pair<std::int64_t, std::int64_t>{28, 4}));
    // With mid included the mid blob wins.
    QCOMPARE(argmax2d(p2p_view(set, {}, 16, {Place::Down, Place::Mid, Place::Up})[0]),
             (std::pair<std::int64_t, std::int64_t>{12, 3}));
  }

  void daamExcludesTheCoarsestAndIsMinMaxNormalised() {
    auto make = [](double coarse_y, double coarse_x) {
      auto set = empty_set(2);
      set.records.push_back(
          cross("mid_block.attentions.0.transformer_blocks.0.attn2", Place::Mid, 8, 8, 0,
                at::stack({blob(8, 8, coarse_y, coarse_x, 1, 100.0), blob(8, 8, 1, 1, 1)})));
      for (int s = 0; s < 2; ++s) {
        set.records.push_back(cross(kDown2, Place::Down, 16, 16, s,
                                    at::stack({blob(16, 16, 4, 12, 1.5), blob(16, 16, 8, 8, 3)})));
        set.records.push_back(cross("up_blocks.2.attentions.0.transformer_blocks.0.attn2", Place::Up, 32, 32,
                                    s, at::stack({blob(32, 32, 8, 24, 3), blob(32, 32, 16, 16, 6)})));
      }
      return set;
    };
    auto a = daam_view(make(6, 1)), b = daam_view(make(1, 6));
    QCOMPARE(a.sizes().vec(), (std::vector<std::int64_t>{2, 64, 64}));
    QCOMPARE(testing::max_abs_diff(a, b), 0.0);  // the coarsest layer does not contribute
    auto [py, px] = argmax2d(a[0]);
    qInfo("daam peak of the blob at latent (17.5, 49.5): (%lld, %lld)", (long long)py, (long long)px);
    QVERIFY(std::abs(py - 17.5) <= 1.5 && std::abs(px - 49.5) <= 1.5);
    for (int t = 0; t < 2; ++t) {
      QCOMPARE(a[t].min().item<double>(), 0.0);
      QCOMPARE(a[t].max().item<double>(), 1.0);
    }
  }

  void daamClampsBicubicUndershoot() {
    // A single hot pixel: bicubic upsampling rings below zero next to it.
    auto set = empty_set(1, 32);
    auto spike = at::zeros({1, 8, 8});
    spike[0][4][4] = 1.0;
    set.records.push_back(cross("mid_block.attentions.0.transformer_blocks.0.attn2", Place::Mid, 4, 4, 0,
                                at::zeros({1, 4, 4})));
    set.records.push_back(cross(kDown2, Place::Down, 8, 8, 0, spike));
    namespace F = torch::nn::functional;
    auto raw = F::interpolate(spike.unsqueeze(0), F::InterpolateFuncOptions()
                                                      .size(std::vector<std::int64_t>{32, 32})
                                                      .mode(torch::kBicubic)
                                                      .align_corners(false));
    QVERIFY(raw.min().item<double>() < -1e-3);
    auto v = daam_view(set, {}, 0, /*normalise=*/false);
    QCOMPARE(v.min().item<double>(), 0.0);
    QVERIFY(testing::max_abs_diff(v, raw.squeeze(0).clamp_min(0)) < 1e-7);
  }

  void wordMapsAverageSubTokens() {
    auto maps = at::stack({at::full({4, 4}, 1.0), at::full({4, 4}, 2.0), at::full({4, 4}, 4.0)});
    maps[2][0][0] = 0.0;
    auto w = word_maps(maps, {{"a", {1}}, {"bc", {0, 2}}});
    QCOMPARE(w.sizes().vec(), (std::vector<std::int64_t>{2, 4, 4}));
    QCOMPARE(w[0][1][1].item<double>(), 2.0);
    QCOMPARE(w[1][1][1].item<double>(), 2.5);
    QCOMPARE(w[1][0][0].item<double>(), 0.5);
    auto n = word_maps(maps, {{"bc", {0, 2}}}, MapNorm::MinMax);
    QCOMPARE(n.min().item<double>(), 0.0);
    QCOMPARE(n.max().item<double>(), 1.0);
    QVERIFY(error_text([&] { word_maps(maps, {{"zz", {3}}}); }).contains("token index 3"));
  }

  void daamWordViewNormalisesAfterAveraging() {
    auto set = empty_set(2);
    set.records.push_back(cross("mid_block.attentions.0.transformer_blocks.0.attn2", Place::Mid, 8, 8, 0,
                                at::zeros({2, 8, 8})));
    set.records.push_back(
        cross(kDown2, Place::Down, 16, 16, 0,
              at::stack({blob(16, 16, 4, 4, 2, 0.5) + 0.25, blob(16, 16, 12, 12, 2, 0.125)})));
    const std::vector<WordSpan> spans{{"ab", {0, 1}}};
    auto raw = daam_view(set, {}, 0, false);
    auto expected = normalise_maps(raw.mean(0, true), MapNorm::MinMax);
    auto got = daam_word_view(set, spans);
    QVERIFY(testing::max_abs_diff(got, expected) < 1e-6);
    // Normalising each token first would weigh the faint token as much as the strong one.
    auto other = normalise_maps(word_maps(daam_view(set), spans), MapNorm::MinMax);
    QVERIFY(testing::max_abs_diff(got, other) > 0.05);
  }

  void wordSpansFromTheTokenizer() {
    auto tok = ClipTokenizer::from_folder(testing::fixture("clip_tokenizer"));
    const std::string text = "a xylophonist and a cat";
    auto enc = tok.encode(text);
    // Record only the prompt's real tokens (positions 1..n), as the store does by default.
    std::vector<std::int64_t> positions;
    for (std::int64_t p = 1; p + 1 < static_cast<std::int64_t>(enc.ids.size()); ++p) positions.push_back(p);
    auto spans = word_spans(enc, text, positions);
    QCOMPARE(spans.size(), std::size_t(5));
    QCOMPARE(QString::fromStdString(spans[1].word), QString("xylophonist"));
    QVERIFY2(spans[1].token_indices.size() >= 2, "the test word must split into several tokens");
    for (std::size_t i = 1; i < spans[1].token_indices.size(); ++i)
      QCOMPARE(spans[1].token_indices[i], spans[1].token_indices[i - 1] + 1);
    QCOMPARE(QString::fromStdString(spans[4].word), QString("cat"));
    QCOMPARE(spans[4].token_indices,
             (std::vector<std::int64_t>{static_cast<std::int64_t>(positions.size()) - 1}));
    // Words whose tokens were not recorded are left out.
    auto partial = word_spans(enc, text, {1});
    QCOMPARE(partial.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(partial[0].word), QString("a"));
  }

  void errorsNameWhatIsMissingAndWhatIsRecorded() {
    auto set = empty_set(1);
    set.records.push_back(cross(kDown2, Place::Down, 16, 16, 0, at::ones({1, 16, 16})));
    set.records.push_back(cross(kDown2, Place::Down, 16, 16, 2, at::ones({1, 16, 16})));
    auto e1 = error_text([&] { layer_view(set, "up_blocks.9.attn2"); });
    qInfo("%s", qPrintable(e1));
    QVERIFY(e1.contains("up_blocks.9.attn2") && e1.contains(QString::fromStdString(kDown2)) &&
            e1.contains("16x16"));
    auto e2 = error_text([&] { layer_view(set, kDown2, StepRange::single(1)); });
    QVERIFY(e2.contains("step 1") && e2.contains("steps 0, 2"));
    QVERIFY(error_text([&] { layer_view(set, kDown2, {5, -1}); }).contains("last recorded step is 2"));
    auto e3 = error_text([&] { p2p_view(set, {}, 8); });
    QVERIFY(e3.contains("8x8") && e3.contains("down+up"));
    auto e4 = error_text([&] { daam_view(set); });
    QVERIFY(e4.contains("coarsest"));
    auto e5 = error_text([&] { self_pca_view(set); });
    QVERIFY(e5.contains("self-attention") && e5.contains("16x16") &&
            e5.contains("no self-attention layer is recorded"));
    SelfPcaOptions o;
    o.layer = "x.attn1";
    QVERIFY(error_text([&] { self_pca_view(set, o); }).contains("x.attn1"));
    QVERIFY(error_text([&] { layer_view(set, kDown2, {}, 3); }).contains("batch row 3"));
  }

  void selfPcaRecoversBlocks() {
    // Left half of a 16x16 grid attends uniformly to the left half, right half to the right half.
    const std::int64_t r = 16, n = r * r;
    auto left = (at::arange(n) % r < r / 2).to(at::kFloat);
    auto same = at::outer(left, left) + at::outer(1 - left, 1 - left);
    auto probs = same / same.sum(1, true);
    AttentionRecord rec;
    rec.layer = "up_blocks.1.attentions.0.transformer_blocks.0.attn1";
    rec.place = Place::Up;
    rec.is_cross = false;
    rec.height = rec.width = rec.native_height = rec.native_width = r;
    rec.step = 0;
    rec.per_head = true;
    rec.probs = at::stack({probs, probs}).to(at::kHalf);
    AttentionRecordSet set = empty_set(1);
    set.records.push_back(rec);
    auto pca = self_pca_view(set);
    QCOMPARE(pca.components.sizes().vec(), (std::vector<std::int64_t>{3, 16, 16}));
    auto c0 = pca.components[0];
    auto expected_sign = left.view({r, r}) * 2 - 1;  // +1 left (raster index 0), -1 right
    QVERIFY(at::equal(c0.sign(), expected_sign));
    QVERIFY(std::abs(c0.norm().item<double>() - 1.0) < 1e-5);
    qInfo("singular values %.4g %.4g", pca.singular_values[0].item<double>(),
          pca.singular_values[1].item<double>());
    QVERIFY(pca.singular_values[1].item<double>() < 1e-9 * pca.singular_values[0].item<double>() + 1e-12);
    QCOMPARE(pca.layers.size(), std::size_t(1));
  }

  void alignmentOfEqualAndDisjointMaps() {
    auto mask = at::zeros({16, 16});
    mask.slice(0, 2, 8).slice(1, 4, 12).fill_(1);
    auto same = score_alignment(mask * 0.3, mask);
    QCOMPARE(same.mse, 0.0);
    QCOMPARE(same.iou, 1.0);
    QCOMPARE(same.mass_inside, 1.0);
    QCOMPARE(same.best_iou, 1.0);
    auto disjoint = score_alignment(1 - mask, mask);
    QCOMPARE(disjoint.iou, 0.0);
    QCOMPARE(disjoint.mass_inside, 0.0);
    QCOMPARE(disjoint.best_iou, 0.0);
    QCOMPARE(disjoint.mse, 1.0);
    // A 64x64 mask (and an 8-bit one) is nearest-resized to the map's grid.
    auto big = mask.repeat_interleave(4, 0).repeat_interleave(4, 1);
    auto from_big = score_alignment(mask * 0.3, big);
    QCOMPARE(from_big.iou, 1.0);
    QCOMPARE(from_big.mse, 0.0);
    auto from_png = score_alignment(mask, (big * 255).to(at::kByte));
    QCOMPARE(from_png.iou, 1.0);
    QVERIFY(error_text([&] { score_alignment(mask, at::zeros({16, 16})); }).contains("no foreground"));
  }

  void alignmentHandExample() {
    auto map = at::tensor({2.0, 1.4, 0.4, 0.2}, at::kDouble).view({2, 2});
    auto mask = at::tensor({1.0, 1.0, 0.0, 0.0}, at::kDouble).view({2, 2});
    // A / max A = [1, 0.7, 0.2, 0.1].
    auto s = score_alignment(map, mask);
    QVERIFY(std::abs(s.mse - (0.09 + 0.04 + 0.01) / 4) < 1e-12);
    QCOMPARE(s.iou, 1.0);
    QVERIFY(std::abs(s.mass_inside - 3.4 / 4.0) < 1e-12);
    // IoU: tau <= 0.1 -> 2/4, (0.1, 0.2] -> 2/3, (0.2, 0.7] -> 1, above -> 1/2.
    QCOMPARE(s.best_tau, 0.25);
    QCOMPARE(s.best_iou, 1.0);
    QVERIFY(std::abs(score_alignment(map, mask, 0.2).iou - 2.0 / 3.0) < 1e-12);
    QCOMPARE(score_alignment(map, mask, 0.8).iou, 0.5);
  }

  void alignmentTableRows() {
    auto set = empty_set(3);
    auto mask = at::zeros({64, 64});
    mask.slice(0, 4, 28).slice(1, 36, 60).fill_(1);
    for (int s = 0; s < 2; ++s) {
      auto fox = blob(16, 16, 4, 12, 1.5);
      set.records.push_back(
          cross(kDown2, Place::Down, 16, 16, s, at::stack({at::zeros({16, 16}), fox, fox})));
      set.records.push_back(cross(kUp1, Place::Up, 16, 16, s, at::stack({at::zeros({16, 16}), fox, fox})));
    }
    set.records.push_back(cross("mid_block.attentions.0.transformer_blocks.0.attn2", Place::Mid, 8, 8, 0,
                                at::zeros({3, 8, 8})));
    const std::vector<WordSpan> spans{{"a", {0}}, {"foxes", {1, 2}}};
    auto rows = alignment_table(set, {{"foxes", mask}}, spans);
    // (down2, up1) x 2 steps + mid x 1 step, then p2p and daam; only the masked word.
    QCOMPARE(rows.size(), std::size_t(7));
    const char* layers[] = {kDown2.c_str(), kDown2.c_str(), kUp1.c_str(), kUp1.c_str(),
                            "mid_block.attentions.0.transformer_blocks.0.attn2"};
    const int steps[] = {0, 1, 0, 1, 0};
    for (int i = 0; i < 5; ++i) {
      QCOMPARE(QString::fromStdString(rows[i].view), QString("layer"));
      QCOMPARE(rows[i].layer.c_str(), layers[i]);
      QCOMPARE(rows[i].step, steps[i]);
      QCOMPARE(rows[i].word_index, 1);
      QCOMPARE(QString::fromStdString(rows[i].word), QString("foxes"));
    }
    QCOMPARE(rows[1].timestep, 900.0);
    QVERIFY(rows[0].scores.mass_inside > 0.8 && rows[0].scores.iou > 0.3);
    QCOMPARE(rows[4].scores.mass_inside, 0.0);  // the all-zero mid map
    QCOMPARE(QString::fromStdString(rows[5].view), QString("p2p"));
    QCOMPARE(rows[5].height, std::int64_t(16));
    QCOMPARE(rows[5].step, -1);
    QVERIFY(std::abs(rows[5].scores.iou - rows[0].scores.iou) < 1e-6);
    QCOMPARE(QString::fromStdString(rows[6].view), QString("daam"));
    QCOMPARE(rows[6].height, std::int64_t(64));
    QVERIFY(rows[6].scores.mass_inside > 0.5);
    for (const auto& r : rows)
      qInfo("%s %s %d: mse %.4f iou %.4f in %.4f best tau %.2f (iou %.4f)", r.view.c_str(), r.layer.c_str(),
            r.step, r.scores.mse, r.scores.iou, r.scores.mass_inside, r.scores.best_tau, r.scores.best_iou);
    auto e = error_text([&] { alignment_table(set, {{"dog", mask}}, spans); });
    QVERIFY(e.contains("'dog'") && e.contains("'foxes'"));
    // No 32x32 down/up layer: the p2p row cannot be made.
    AlignmentOptions o;
    o.p2p_resolution = 32;
    QVERIFY(error_text([&] { alignment_table(set, {{"foxes", mask}}, spans, o); }).contains("32x32"));
  }

  void csvAndJsonFormat() {
    AlignmentRow a;
    a.word = "he said \"hi\", ok";
    a.word_index = 2;
    a.view = "layer";
    a.layer = "up_blocks.1.attentions.0.transformer_blocks.0.attn2";
    a.step = 3;
    a.timestep = 701;
    a.height = a.width = 16;
    a.tau = 0.4;
    a.scores = {0.125, 0.5, 1.0, 0.25, 0.0};
    AlignmentRow b;
    b.word = "fox";
    b.view = "daam";
    b.height = b.width = 64;
    b.tau = 0.4;
    b.scores = {0.1, 1.0 / 3.0, 0.0, 0.95, 0.75};
    const std::string csv = to_csv({a, b});
    const std::string expected_csv =
        "word,word_index,view,layer,step,timestep,height,width,tau,mse,iou,mass_inside,best_tau,best_iou\r\n"
        "\"he said \"\"hi\"\", "
        "ok\",2,layer,up_blocks.1.attentions.0.transformer_blocks.0.attn2,3,701.0,16,16,0.4,"
        "0.125,0.5,1.0,0.25,0.0\r\n"
        "fox,0,daam,,,,64,64,0.4,0.1,0.3333333333333333,0.0,0.95,0.75\r\n";
    QCOMPARE(QString::fromStdString(csv), QString::fromStdString(expected_csv));
    const std::string json = to_json({b});
    const std::string expected_json = R"([
  {
    "word": "fox",
    "word_index": 0,
    "view": "daam",
    "layer": null,
    "step": null,
    "timestep": null,
    "height": 64,
    "width": 64,
    "tau": 0.4,
    "mse": 0.1,
    "iou": 0.3333333333333333,
    "mass_inside": 0.0,
    "best_tau": 0.95,
    "best_iou": 0.75
  }
]
)";
    QCOMPARE(QString::fromStdString(json), QString::fromStdString(expected_json));
    auto parsed = nlohmann::json::parse(to_json({a, b}));
    QCOMPARE(QString::fromStdString(parsed[0]["word"].get<std::string>()), QString::fromStdString(a.word));
    QCOMPARE(parsed[0]["step"].get<int>(), 3);
    QCOMPARE(parsed[1]["iou"].get<double>(), 1.0 / 3.0);
    QCOMPARE(to_csv({}),
             std::string("word,word_index,view,layer,step,timestep,height,width,tau,mse,iou,mass_inside,"
                         "best_tau,best_iou\r\n"));
  }
};

QTEST_APPLESS_MAIN(TestAttentionViews)
#include "test_attention_views.moc"
