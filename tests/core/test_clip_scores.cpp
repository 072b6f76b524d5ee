// CLIP-I and CLIP-T (clip_scores.h) on a tiny CLIPModel folder assembled from the fixtures'
// image encoder and the tiny SD 1.5 text encoder (plus a text projection): the pair average,
// the 2.5 * max(cos, 0) scaling, unpadded text encoding equal to padded encoding, and the errors.
#include <ATen/ATen.h>
#include <torch/nn.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <filesystem>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/models/vision/clip_vision_model.h"
#include "core/pipeline/clip_scores.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"
#include "fixtures.h"
#include "tiny_clip_model.h"

using namespace storyscope;
using json = nlohmann::json;
using storyscope::testing::fixture;
namespace fs = std::filesystem;

namespace {

// Three distinct images [1, 3, 32, 32] in [0, 1].
at::Tensor test_image(int k) {
  const at::Tensor x = at::arange(32, at::kFloat).view({1, 1, 1, 32}) / 31;
  const at::Tensor y = at::arange(32, at::kFloat).view({1, 1, 32, 1}) / 31;
  const at::Tensor c = at::arange(3, at::kFloat).view({1, 3, 1, 1});
  return (at::sin(x * (3 + k) + y * (1 + 2 * k) + c * (k + 1)) * 0.5 + 0.5)
      .expand({1, 3, 32, 32})
      .contiguous();
}

}  // namespace

class TestClipScores : public QObject {
  Q_OBJECT
  fs::path dir_;
  std::shared_ptr<ClipScorer> scorer_;

 private slots:
  void initTestCase() {
    dir_ = fs::temp_directory_path() / ("clip_scores_" + std::to_string(::getpid()));
    storyscope::testing::write_tiny_clip_model(dir_);
    scorer_ = ClipScorer::load(dir_.string());
  }
  void cleanupTestCase() { fs::remove_all(dir_); }

  void embeds_are_unit_vectors() {
    const at::Tensor e = scorer_->image_embeds(at::cat({test_image(0), test_image(1)}, 0));
    QCOMPARE(e.size(1), std::int64_t(32));
    QVERIFY(((e.norm(2, -1) - 1).abs() < 1e-5).all().item<bool>());
    const at::Tensor t = scorer_->text_embeds({"a red fox", "a blue bird in a tree"});
    QVERIFY(((t.norm(2, -1) - 1).abs() < 1e-5).all().item<bool>());
  }

  void image_embeds_are_the_encoders() {
    // The scorer's vision side is the image encoder on the preprocessed 8-bit image.
    at::NoGradGuard no_grad;
    auto encoder = load_clip_vision_model(fixture("ip_adapter/image_encoder"));
    ClipImageProcessorConfig pc;
    pc.shortest_edge = pc.crop_height = pc.crop_width = 32;
    const at::Tensor img = test_image(2);
    const at::Tensor bytes = (img[0] * 255).round().to(at::kByte).permute({1, 2, 0}).contiguous();
    at::Tensor want = encoder->forward(ClipImageProcessor(pc).preprocess(bytes)).image_embeds;
    want = want / want.norm(2, -1, true);
    QVERIFY(at::allclose(scorer_->image_embeds(img), want, 1e-6, 1e-6));
  }

  void clip_i_averages_frame_pairs() {
    const at::Tensor a = test_image(0), b = test_image(1);
    const at::Tensor ea = scorer_->image_embeds(a), eb = scorer_->image_embeds(b);
    const double cos_ab = (ea * eb).sum().item<double>();
    QVERIFY(std::abs(cos_ab) < 0.999);  // distinct images
    QVERIFY(std::abs(scorer_->clip_i(at::cat({a, a}, 0)) - 1.0) < 1e-6);
    // Pairs (a,a), (a,b), (a,b): (1 + 2 cos) / 3.
    QVERIFY(std::abs(scorer_->clip_i(at::cat({a, a, b}, 0)) - (1 + 2 * cos_ab) / 3) < 1e-6);
  }

  void clip_t_is_clipscore_scaled() {
    const at::Tensor imgs = at::cat({test_image(0), test_image(1), test_image(2)}, 0);
    const std::vector<std::string> prompts{"a red fox", "a red fox in the snow", "a tree"};
    const auto scores = scorer_->clip_t(imgs, prompts);
    QCOMPARE(scores.size(), std::size_t(3));
    const at::Tensor img = scorer_->image_embeds(imgs), txt = scorer_->text_embeds(prompts);
    for (std::size_t i = 0; i < scores.size(); ++i) {
      const double c = (img[i] * txt[i]).sum().item<double>();
      QVERIFY(std::abs(scores[i].cosine - c) < 1e-6);
      QVERIFY(std::abs(scores[i].clip_t - 2.5 * std::max(c, 0.0)) < 1e-6);
    }
  }

  void unpadded_text_equals_padded() {
    // CLIPProcessor pads with an attention mask; the causal mask makes padding after the end
    // token invisible to the pooled position, so the unpadded encoding is the same.
    at::NoGradGuard no_grad;
    ClipTextConfig c = ClipTextConfig::from_file((dir_ / "config.json").string());
    c.architectures = {"CLIPTextModelWithProjection"};
    CLIPTextModelWithProjection text(c);
    std::map<std::string, at::Tensor> w;
    const auto file = SafetensorsFile::open((dir_ / "model.safetensors").string());
    for (const auto& name : file->names())
      if (name.rfind("text_", 0) == 0) w[name] = file->tensor(name);
    load_state_dict(*text, w, "test");
    const ClipTokenizer tok = ClipTokenizer::from_folder((dir_ / "tokenizer").string());
    const auto ids = tok.encode_padded("a red fox in the snow", 77);
    at::Tensor padded = text->forward(at::tensor(ids, at::kLong).unsqueeze(0)).text_embeds;
    padded = padded / padded.norm(2, -1, true);
    QVERIFY(at::allclose(scorer_->text_embeds({"a red fox in the snow"}), padded, 1e-5, 1e-6));
  }

  void misuse_is_an_error() {
    QVERIFY_THROWS_EXCEPTION(Error, scorer_->clip_i(test_image(0)));
    QVERIFY_THROWS_EXCEPTION(Error, scorer_->clip_t(test_image(0), {"a", "b"}));
    QVERIFY_THROWS_EXCEPTION(Error, scorer_->image_embeds(at::zeros({1, 4, 8, 8})));
    // An image encoder alone is not a CLIPModel.
    QVERIFY_THROWS_EXCEPTION(Error, ClipScorer::load(fixture("ip_adapter/image_encoder")));
  }
};

QTEST_APPLESS_MAIN(TestClipScores)
#include "test_clip_scores.moc"
