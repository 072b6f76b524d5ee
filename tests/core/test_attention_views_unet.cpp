// End to end on real maps: the tiny UNet's attention probabilities, captured here the way the
// AttentionStore records them (conditional row, fp16, [keys, h*w]), read back through the views
// and compared with the fixture's reference probabilities.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>

#include "core/analysis/attention_views.h"
#include "core/common/error.h"
#include "core/config/unet_config.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "unet_testing.h"

using namespace storyscope;
using namespace storyscope::unet_testing;

namespace {

// Keeps every layer's probabilities plus the LayerInfo the store would see.
class InfoCapture : public CaptureProcessor {
 public:
  std::map<std::string, LayerInfo> infos;
  at::Tensor process(const AttentionProjections& attn, const at::Tensor& hidden, const at::Tensor& context,
                     const LayerInfo& layer, const StepInfo& step) override {
    infos[layer.name] = layer;
    return CaptureProcessor::process(attn, hidden, context, layer, step);
  }
};

}  // namespace

class TestAttentionViewsUnet : public QObject {
  Q_OBJECT
  AttentionRecordSet set_;
  std::map<std::string, at::Tensor> all_;
  int heads_ = 0;

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    torch::NoGradGuard no_grad;
    auto model =
        UNet2DConditionModel(UNetConfig::from_json(manifest_case("tiny_unet").at("config"), "tiny_unet"));
    fill_splitmix(*model);
    all_ = load_safetensors(fixture("tiny_unet.safetensors"));
    auto capture = std::make_shared<InfoCapture>();
    model->set_attn_processor([&](const LayerInfo&) { return capture; });
    model->forward(all_.at("sample"), all_.at("timestep_t500"), all_.at("encoder_hidden_states"));

    const auto batch = all_.at("sample").size(0);
    for (const auto& name : capture->order) {
      const auto& info = capture->infos.at(name);
      auto p = capture->probs.at(name);
      const auto heads = p.size(0) / batch;
      heads_ = static_cast<int>(heads);
      auto row0 = p.view({batch, heads, p.size(1), p.size(2)})[0];  // [heads, N, M]
      AttentionRecord r;
      r.layer = name;
      r.place = info.place;
      r.block_index = info.block_index;
      r.is_cross = info.is_cross;
      r.height = r.native_height = info.height;
      r.width = r.native_width = info.width;
      r.step = 0;
      r.timestep = 500;
      // Cross: [keys, h*w]; the mid layer is kept per head to read that path too.
      const bool per_head = info.place == Place::Mid;
      r.per_head = per_head;
      auto m = info.is_cross ? row0.transpose(1, 2) : row0;
      r.probs = (per_head ? m : m.mean(0)).to(at::kHalf).contiguous();
      set_.records.push_back(std::move(r));
    }
    for (int i = 0; i < 77; ++i) {
      set_.token_positions.push_back(i);
      set_.tokens.push_back("t" + std::to_string(i));
    }
    set_.latent_height = all_.at("sample").size(2);
    set_.latent_width = all_.at("sample").size(3);
  }

  void layerViewMatchesTheReferenceProbabilities() {
    double worst = 0;
    for (const auto& r : set_.records) {
      if (!r.is_cross) continue;
      auto ref = all_.at("attn_probs/" + r.layer + ".processor").to(at::kDouble).mean(0);  // [N, 77]
      auto expected = ref.transpose(0, 1).reshape({77, r.height, r.width});
      auto view = layer_view(set_, r.layer);
      QCOMPARE(view.sizes(), expected.sizes());
      worst = std::max(worst, testing::max_abs_diff(view, expected));
      // Softmax over keys: every pixel's recorded tokens (all 77 here) sum to 1.
      QVERIFY(testing::max_abs_diff(view.sum(0), at::ones({r.height, r.width})) < 2e-2);
    }
    qInfo(
        "layer view vs fixture attn_probs (head mean): worst max abs diff %.3g (fp16 storage, tolerance "
        "1e-3)",
        worst);
    QVERIFY(worst < 1e-3);
  }

  void aggregateViewsOnTheTinyLayout() {
    // Cross layers: down_blocks.0 x2 and up_blocks.1 x3 at 32x32, mid at 16x16.
    auto p2p = p2p_view(set_, {}, 32);
    at::Tensor mean = at::zeros({77, 32, 32}, at::kDouble);
    int n = 0;
    for (const auto& r : set_.records)
      if (r.is_cross && r.height == 32) mean += layer_view(set_, r.layer).to(at::kDouble), ++n;
    QCOMPARE(n, 5);
    mean /= n;
    auto expected = mean / std::get<0>(mean.flatten(1).max(1)).view({77, 1, 1});
    const double d_p2p = testing::max_abs_diff(p2p, expected);
    qInfo("p2p (R=32) vs mean of the five 32x32 layer views: max abs diff %.3g", d_p2p);
    QVERIFY(d_p2p < 1e-5);
    // The default R=16 finds only the mid block, which p2p leaves out.
    bool threw = false;
    try {
      p2p_view(set_);
    } catch (const Error& e) {
      threw = true;
      qInfo("%s", e.what());
    }
    QVERIFY(threw);
    // DAAM: the coarsest grid (mid, 16x16) is excluded; the latent is 32x32, so no resampling.
    auto daam = daam_view(set_);
    auto lo = std::get<0>(mean.flatten(1).min(1)).view({77, 1, 1});
    auto hi = std::get<0>(mean.flatten(1).max(1)).view({77, 1, 1});
    const double d_daam = testing::max_abs_diff(daam, (mean - lo) / (hi - lo));
    qInfo("daam vs min-max of the 32x32 layer mean: max abs diff %.3g", d_daam);
    QVERIFY(d_daam < 1e-4);
  }

  void selfPcaOfTheMidBlock() {
    SelfPcaOptions o;
    o.places = {Place::Mid};
    auto pca = self_pca_view(set_, o);
    QCOMPARE(pca.components.sizes().vec(), (std::vector<std::int64_t>{3, 16, 16}));
    QCOMPARE(pca.layers.size(), std::size_t(1));
    auto norms = pca.components.flatten(1).norm(2, 1);
    QVERIFY(testing::max_abs_diff(norms, at::ones({3})) < 1e-5);
    auto s = pca.singular_values;
    QVERIFY(s[0].item<double>() >= s[1].item<double>() && s[1].item<double>() >= s[2].item<double>());
    qInfo("mid self-attention singular values %.4g %.4g %.4g", s[0].item<double>(), s[1].item<double>(),
          s[2].item<double>());
  }
};

QTEST_APPLESS_MAIN(TestAttentionViewsUnet)
#include "test_attention_views_unet.moc"
