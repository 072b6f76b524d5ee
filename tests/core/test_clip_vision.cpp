// CLIPVisionModelWithProjection and CLIPImageProcessor against transformers 4.38
// (fixtures/ip_adapter): every encoder output on splitmix pixels, and the preprocessing of two
// synthetic images whose resize up- and downscales (Pillow's antialiased bicubic).
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/models/vision/clip_image_processor.h"
#include "core/models/vision/clip_vision_model.h"
#include "core/models/vision/pil_resize.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;

namespace {

const nlohmann::json& ipa_manifest() {
  static const nlohmann::json doc =
      parse_python_json(read_file(fixture("ip_adapter/manifest.json")), "ip_adapter/manifest.json");
  return doc;
}

// The synthetic image of fixtures/ip_adapter/README.md, built from its formula.
at::Tensor synthetic_image(std::int64_t w, std::int64_t h) {
  at::Tensor img = at::empty({h, w, 3}, at::kByte);
  auto a = img.accessor<std::uint8_t, 3>();
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x) {
      a[y][x][0] = static_cast<std::uint8_t>((255 * x) / (w - 1));
      a[y][x][1] = static_cast<std::uint8_t>((255 * y) / (h - 1));
      a[y][x][2] = static_cast<std::uint8_t>((37 * x + 91 * y) % 256);
    }
  return img;
}

}  // namespace

class TestClipVision : public QObject {
  Q_OBJECT

 private slots:
  void config_reads_the_fixture() {
    const auto c = ClipVisionConfig::from_file(fixture("ip_adapter/image_encoder/config.json"));
    QCOMPARE(c.hidden_size, std::int64_t(32));
    QCOMPARE(c.num_hidden_layers, std::int64_t(5));
    QCOMPARE(c.num_positions(), std::int64_t(65));
    QCOMPARE(c.hidden_act, std::string("gelu"));
  }

  void config_rejects_bad_patch_size() {
    JsonFields f(nlohmann::json{{"image_size", 30}, {"patch_size", 4}}, "config.json");
    try {
      (void)ClipVisionConfig::from_json(f);
      QFAIL("expected an error");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("patch_size") != std::string::npos);
    }
  }

  void parameter_names_are_transformers() {
    CLIPVisionModelWithProjection m(ClipVisionConfig{});
    const auto params = m->named_parameters();
    for (const char* key : {"vision_model.pre_layrnorm.weight", "vision_model.embeddings.class_embedding",
                            "vision_model.embeddings.patch_embedding.weight",
                            "vision_model.encoder.layers.11.self_attn.q_proj.bias",
                            "vision_model.post_layernorm.bias", "visual_projection.weight"})
      QVERIFY2(params.contains(key), key);
    QVERIFY(!params.contains("visual_projection.bias"));
  }

  void encoder_matches_transformers() {
    at::NoGradGuard no_grad;
    auto model = load_clip_vision_model(fixture("ip_adapter/image_encoder"));
    const auto ref = SafetensorsFile::open(fixture("ip_adapter/clip_vision.safetensors"));
    const ClipVisionOutput out = model->forward(ref->tensor("pixel_values"), true);
    const auto& tolerances = ipa_manifest().at("clip_vision").at("suggested_tolerance");
    const auto check = [&](const char* key, const at::Tensor& got) {
      // hidden_states_0 (one LayerNorm deep) has no suggested tolerance: the tightest one.
      const double tol = tolerances.contains(key) ? tolerances.at(key).at("max_abs").get<double>() : 1.41e-05;
      const double diff = max_abs_diff(got, ref->tensor(key));
      qInfo("%s: max |diff| %.3g (tolerance %.3g)", key, diff, tol);
      QVERIFY2(diff <= tol, key);
    };
    QCOMPARE(out.hidden_states.size(), std::size_t(6));
    check("hidden_states_0", out.hidden_states[0]);
    check("penultimate_hidden_state", out.penultimate_hidden_state);
    check("last_hidden_state", out.last_hidden_state);
    check("image_embeds", out.image_embeds);
    // The penultimate state is the last layer's input whether or not all states are kept.
    const ClipVisionOutput lean = model->forward(ref->tensor("pixel_values"));
    QVERIFY(lean.hidden_states.empty());
    QVERIFY(at::equal(lean.penultimate_hidden_state, out.hidden_states[4]));
  }

  void encoder_rejects_wrong_size() {
    auto model = load_clip_vision_model(fixture("ip_adapter/image_encoder"));
    QVERIFY_THROWS_EXCEPTION(Error, model->forward(at::zeros({1, 3, 28, 28})));
  }

  void processor_config_reads_the_fixture() {
    const auto c = ClipImageProcessorConfig::from_file(fixture("ip_adapter"));
    QCOMPARE(c.shortest_edge, std::int64_t(32));
    QCOMPARE(c.crop_height, std::int64_t(32));
    QCOMPARE(c.image_std[2], 0.27577711);
  }

  void preprocessing_matches_transformers_data() {
    QTest::addColumn<QString>("label");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::newRow("upscale") << "up_40x30" << 40 << 30;
    QTest::newRow("downscale") << "down_97x61" << 97 << 61;
  }
  void preprocessing_matches_transformers() {
    QFETCH(QString, label);
    QFETCH(int, width);
    QFETCH(int, height);
    const std::string l = label.toStdString();
    const auto ref = SafetensorsFile::open(fixture("ip_adapter/clip_image_processor.safetensors"));
    const at::Tensor image = synthetic_image(width, height);
    QVERIFY(at::equal(image, ref->tensor(l + "/image_uint8")));

    const at::Tensor want_resized = ref->tensor(l + "/resized_uint8");
    const at::Tensor resized = pil_bicubic_resize(image, want_resized.size(1), want_resized.size(0));
    const double resize_diff = max_abs_diff(resized, want_resized);
    qInfo("%s resize: max |diff| %g (uint8 levels)", l.c_str(), resize_diff);
    QCOMPARE(resize_diff, 0.0);

    const ClipImageProcessor processor(ClipImageProcessorConfig::from_file(fixture("ip_adapter")));
    QVERIFY(at::equal(processor.resize_and_crop(image), ref->tensor(l + "/cropped_uint8")));
    const double diff = max_abs_diff(processor.preprocess(image), ref->tensor(l + "/pixel_values"));
    qInfo("%s pixel_values: max |diff| %.3g", l.c_str(), diff);
    QVERIFY(diff <= 3e-7);
  }

  void resize_to_the_same_size_is_identity() {
    const at::Tensor image = synthetic_image(13, 9);
    QVERIFY(at::equal(pil_bicubic_resize(image, 13, 9), image));
  }

  void crop_pads_small_images_as_transformers() {
    // shortest edge 4 then a 6x6 crop: transformers pads with zeros, centred (ceil of half).
    ClipImageProcessorConfig c;
    c.shortest_edge = 4;
    c.crop_height = c.crop_width = 6;
    const at::Tensor out = ClipImageProcessor(c).resize_and_crop(at::full({4, 4, 3}, 200, at::kByte));
    QCOMPARE(out.size(0), std::int64_t(6));
    QCOMPARE(out[0][0][0].item<int>(), 0);
    QCOMPARE(out[1][1][0].item<int>(), 200);
    QCOMPARE(out[4][4][0].item<int>(), 200);
    QCOMPARE(out[5][5][0].item<int>(), 0);
  }

  void processor_rejects_non_rgb() {
    QVERIFY_THROWS_EXCEPTION(Error, ClipImageProcessor().preprocess(at::zeros({8, 8, 4}, at::kByte)));
    QVERIFY_THROWS_EXCEPTION(Error, ClipImageProcessor().preprocess(at::zeros({8, 8, 3})));
  }
};

QTEST_APPLESS_MAIN(TestClipVision)
#include "test_clip_vision.moc"
