// Tiny UNets (SD1.5-like, SD2-like, SDXL-like) against the diffusers 0.27 reference: noise
// predictions, cross-attention probabilities seen through the processor interface, layer
// metadata, weight loading and input/config errors.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/config/unet_config.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "core/tensor/state_dict.h"
#include "fixtures.h"
#include "unet_testing.h"

using namespace storyscope;
using namespace storyscope::unet_testing;

namespace {

UNet2DConditionModel build_case(const std::string& name) {
  auto model =
      UNet2DConditionModel(UNetConfig::from_json(manifest_case(name).at("config"), "manifest:" + name));
  fill_splitmix(*model);
  return model;
}

struct CaseInputs {
  at::Tensor sample, ehs;
  UNetAddedCond added;
  std::map<std::string, at::Tensor> all;
};

CaseInputs inputs_of(const std::string& name) {
  CaseInputs in;
  in.all = load_safetensors(fixture(name + ".safetensors"));
  in.sample = in.all.at("sample");
  in.ehs = in.all.at("encoder_hidden_states");
  if (in.all.count("text_embeds")) in.added = {in.all.at("text_embeds"), in.all.at("time_ids")};
  return in;
}

std::string strip_processor(const std::string& proc) {
  return proc.substr(0, proc.size() - std::string(".processor").size());
}

template <class F>
QString error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestUNet : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void noisePrediction_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("tiny_unet") << "tiny_unet";
    QTest::newRow("tiny_unet_sd2") << "tiny_unet_sd2";
    QTest::newRow("tiny_unet_sdxl") << "tiny_unet_sdxl";
  }
  void noisePrediction() {
    QFETCH(QString, name);
    const auto n = name.toStdString();
    torch::NoGradGuard no_grad;
    auto model = build_case(n);
    auto in = inputs_of(n);
    for (const std::string t : {"t500", "t1"}) {
      const auto out = "noise_pred_" + t;
      auto pred = model->forward(in.sample, in.all.at("timestep_" + t), in.ehs, in.added);
      QVERIFY(check_close((n + " " + out).c_str(), pred, in.all.at(out), suggested_tolerance(n, out)));
    }
  }

  void attentionProbabilities_data() { noisePrediction_data(); }
  void attentionProbabilities() {
    QFETCH(QString, name);
    const auto n = name.toStdString();
    torch::NoGradGuard no_grad;
    auto model = build_case(n);
    auto in = inputs_of(n);
    auto capture = std::make_shared<CaptureProcessor>();
    model->set_attn_processor([&](const LayerInfo& l) { return l.is_cross ? capture : nullptr; });
    auto pred = model->forward(in.sample, in.all.at("timestep_t500"), in.ehs, in.added);
    // Capturing must not change the result.
    QVERIFY(check_close("noise_pred_t500 with capture", pred, in.all.at("noise_pred_t500"),
                        suggested_tolerance(n, "noise_pred_t500")));

    const auto& ap = manifest_case(n).at("attention_probs");
    std::vector<std::string> expected;
    for (const auto& p : ap.at("forward_order")) expected.push_back(strip_processor(p.get<std::string>()));
    QCOMPARE(capture->order, expected);
    const double tol_full =
        manifest().at("attention_probs_suggested_tolerance").at("attn_probs/*").at("max_abs");
    const double tol_mean =
        manifest().at("attention_probs_suggested_tolerance").at("attn_probs_tokenmean/*").at("max_abs");
    double worst_full = 0, worst_mean = 0;
    for (const auto& layer : expected) {
      const int heads = ap.at("heads_per_layer").at(layer + ".processor").get<int>();
      const auto full_shape =
          ap.at("full_shape_per_layer").at(layer + ".processor").get<std::vector<std::int64_t>>();
      const auto& probs = capture->probs.at(layer);
      QCOMPARE(probs.sizes().vec(), full_shape);
      const auto ref = in.all.at("attn_probs/" + layer + ".processor");
      const auto ref_mean = in.all.at("attn_probs_tokenmean/" + layer + ".processor");
      const double d_full = max_abs_diff(probs.slice(0, 0, heads), ref);
      const double d_mean = max_abs_diff(capture->token_means.at(layer), ref_mean);
      worst_full = std::max(worst_full, d_full);
      worst_mean = std::max(worst_mean, d_mean);
      QVERIFY2(d_full <= tol_full, layer.c_str());
      QVERIFY2(d_mean <= tol_mean, layer.c_str());
    }
    qInfo("%s attn_probs: worst max abs diff %.3g (tolerance %.3g) over %zu layers", n.c_str(), worst_full,
          tol_full, expected.size());
    qInfo("%s attn_probs_tokenmean: worst max abs diff %.3g (tolerance %.3g)", n.c_str(), worst_mean,
          tol_mean);

    // Restoring the default processors gives the plain output again.
    model->set_attn_processor(nullptr);
    capture->order.clear();
    model->forward(in.sample, in.all.at("timestep_t500"), in.ehs, in.added);
    QVERIFY(capture->order.empty());
  }

  void attentionLayers_data() { noisePrediction_data(); }
  void attentionLayers() {
    QFETCH(QString, name);
    const auto n = name.toStdString();
    auto model = UNet2DConditionModel(UNetConfig::from_json(manifest_case(n).at("config"), n));
    const auto layers = model->attention_layers();
    const auto& ap = manifest_case(n).at("attention_probs");
    std::vector<LayerInfo> cross;
    for (const auto& l : layers) {
      if (l.is_cross)
        cross.push_back(l);
      else
        QVERIFY2(l.name.size() > 5 && l.name.substr(l.name.size() - 5) == "attn1", l.name.c_str());
    }
    QCOMPARE(layers.size(), 2 * cross.size());
    const auto& order = ap.at("forward_order");
    QCOMPARE(cross.size(), order.size());
    for (std::size_t i = 0; i < cross.size(); ++i) {
      const auto proc = order[i].get<std::string>();
      const auto& l = cross[i];
      QCOMPARE(l.name, strip_processor(proc));
      // attn1 of the same transformer block comes right before its attn2.
      const auto& self = layers[2 * i];
      QCOMPARE(self.name, l.name.substr(0, l.name.size() - 1) + "1");
      const Place expected_place = l.name.rfind("down_blocks", 0) == 0 ? Place::Down
                                   : l.name.rfind("mid_block", 0) == 0 ? Place::Mid
                                                                       : Place::Up;
      QCOMPARE(l.place, expected_place);
      QCOMPARE(self.place, expected_place);
      const int block = expected_place == Place::Mid ? 0 : l.name[l.name.find('.') + 1] - '0';
      QCOMPARE(l.block_index, block);
      QCOMPARE(l.heads, ap.at("heads_per_layer").at(proc).get<int>());
      // The nominal query grid at sample_size (32, the inputs' size) matches the reference.
      const auto full = ap.at("full_shape_per_layer").at(proc).get<std::vector<std::int64_t>>();
      QCOMPARE(l.height * l.width, full[1]);
      QCOMPARE(l.height, l.width);
    }
  }

  void tinyUnetFromDiffusersFolder() {
    torch::NoGradGuard no_grad;
    const auto config = UNetConfig::from_file(fixture("tiny_unet/config.json"));
    QCOMPARE(config.num_attention_heads, (std::vector<std::int64_t>{8, 8}));
    auto loaded = UNet2DConditionModel(config);
    const auto path = fixture("tiny_unet/diffusion_pytorch_model.safetensors");
    const auto report = load_state_dict(*loaded, tensors_of(SafetensorsFile::open(path)), path);
    QVERIFY(report.ok());
    auto filled = UNet2DConditionModel(config);
    fill_splitmix(*filled);
    const auto a = state_dict_of(*loaded);
    const auto b = state_dict_of(*filled);
    QCOMPARE(a.size(), b.size());
    for (const auto& [key, t] : a) QVERIFY2(at::equal(t, b.at(key)), key.c_str());

    auto in = inputs_of("tiny_unet");
    auto pred = loaded->forward(in.sample, in.all.at("timestep_t500"), in.ehs);
    QVERIFY(check_close("tiny_unet (loaded) noise_pred_t500", pred, in.all.at("noise_pred_t500"),
                        suggested_tolerance("tiny_unet", "noise_pred_t500")));
  }

  void uninitializedModulesKeepTheirOptions() {
    auto model =
        UNet2DConditionModel(UNetConfig::from_json(manifest_case("tiny_unet_sd2").at("config"), "sd2"));
    QCOMPARE(model->conv_in->options.in_channels(), std::int64_t(4));
    QCOMPARE(model->conv_in->options.out_channels(), std::int64_t(32));
    QCOMPARE(model->conv_in->weight.sizes().vec(), (std::vector<std::int64_t>{32, 4, 3, 3}));
    QCOMPARE(model->time_embedding->linear_1->options.in_features(), std::int64_t(32));
    QCOMPARE(model->time_embedding->linear_1->weight.sizes().vec(), (std::vector<std::int64_t>{128, 32}));
    model->initialize_weights();
    for (const auto& p : model->named_parameters())
      QVERIFY2(at::isfinite(p.value()).all().item<bool>(), p.key().c_str());
    // conv_in: fan_in = 4*3*3 = 36, so LibTorch's default bound is 1/sqrt(36).
    QVERIFY(model->conv_in->weight.abs().max().item<double>() <= 1.0 / 6.0 + 1e-7);
    QVERIFY(model->conv_in->weight.abs().max().item<double>() > 0.1);
  }

  void perturbedWeightFailsParity() {
    torch::NoGradGuard no_grad;
    auto model = build_case("tiny_unet");
    auto in = inputs_of("tiny_unet");
    const double tol = suggested_tolerance("tiny_unet", "noise_pred_t500");
    bool found = false;
    for (auto& p : model->named_parameters()) {
      if (p.key() == "mid_block.resnets.0.conv1.weight") {
        p.value().neg_();
        found = true;
      }
    }
    QVERIFY(found);
    auto pred = model->forward(in.sample, in.all.at("timestep_t500"), in.ehs);
    const double diff = max_abs_diff(pred, in.all.at("noise_pred_t500"));
    qInfo("flipped mid_block.resnets.0.conv1.weight: max abs diff %.3g (tolerance %.3g)", diff, tol);
    QVERIFY(diff > 100 * tol);
  }

  void timestepForms() {
    // A [B] float timestep equals the 0-d int64 one.
    torch::NoGradGuard no_grad;
    auto model = build_case("tiny_unet");
    auto in = inputs_of("tiny_unet");
    auto a = model->forward(in.sample, at::full({2}, 500.0, at::kFloat), in.ehs);
    QVERIFY(check_close("float [B] timestep", a, in.all.at("noise_pred_t500"),
                        suggested_tolerance("tiny_unet", "noise_pred_t500")));
  }

  void oddSpatialSizeRuns() {
    // 30x30 is not divisible by the downsampling factor: upsamplers follow the skip sizes.
    torch::NoGradGuard no_grad;
    auto model = build_case("tiny_unet_sdxl");
    auto in = inputs_of("tiny_unet_sdxl");
    auto sample = in.sample.slice(2, 0, 29).slice(3, 0, 30);
    auto out = model->forward(sample, in.all.at("timestep_t1"), in.ehs, in.added);
    QCOMPARE(out.sizes().vec(), sample.sizes().vec());
  }

  void loadReportsAllProblems() {
    auto model = UNet2DConditionModel(UNetConfig::from_file(fixture("tiny_unet/config.json")));
    const auto path = fixture("tiny_unet/diffusion_pytorch_model.safetensors");
    auto weights = tensors_of(SafetensorsFile::open(path));
    weights.erase("up_blocks.1.attentions.2.proj_out.weight");
    weights["mid_block.resnets.1.conv2.weight"] = at::zeros({64, 64, 3, 1});
    const auto msg = error_of([&] { load_state_dict(*model, weights, path); });
    qInfo("%s", qPrintable(msg));
    QVERIFY(msg.contains("up_blocks.1.attentions.2.proj_out.weight"));
    QVERIFY(msg.contains("mid_block.resnets.1.conv2.weight"));
    QVERIFY(msg.contains("[64, 64, 3, 1]"));
  }

  void inputErrors() {
    torch::NoGradGuard no_grad;
    auto sdxl = build_case("tiny_unet_sdxl");
    auto in = inputs_of("tiny_unet_sdxl");
    const auto t = in.all.at("timestep_t1");
    QVERIFY(error_of([&] {
              sdxl->forward(in.sample, t, in.ehs, {at::Tensor(), in.added.time_ids});
            }).contains("text_embeds"));
    QVERIFY(error_of([&] {
              sdxl->forward(in.sample, t, in.ehs, {in.added.text_embeds, at::Tensor()});
            }).contains("time_ids"));
    QVERIFY(error_of([&] { sdxl->forward(in.sample, t, in.ehs); }).contains("text_embeds"));
    QVERIFY(
        error_of([&] { sdxl->forward(in.sample.slice(1, 0, 3), t, in.ehs, in.added); }).contains("sample"));
    QVERIFY(error_of([&] { sdxl->forward(in.sample[0], t, in.ehs, in.added); }).contains("sample"));
    QVERIFY(error_of([&] {
              sdxl->forward(in.sample, t, in.ehs.slice(2, 0, 32), in.added);
            }).contains("cross_attention_dim"));
    QVERIFY(error_of([&] {
              sdxl->forward(in.sample, t, in.ehs.slice(0, 0, 1), in.added);
            }).contains("encoder_hidden_states"));
    QVERIFY(
        error_of([&] { sdxl->forward(in.sample, at::zeros({3}), in.ehs, in.added); }).contains("timestep"));
    QVERIFY(error_of([&] {
              sdxl->forward(in.sample, t, in.ehs, {in.added.text_embeds.slice(1, 0, 8), in.added.time_ids});
            }).contains("projection_class_embeddings_input_dim"));
    QVERIFY(
        error_of([&] { sdxl->forward(in.sample.to(at::kDouble), t, in.ehs, in.added); }).contains("sample"));
  }

  void configErrors() {
    const auto base = manifest_case("tiny_unet_sd2").at("config");
    auto expect_key = [&](const char* key, const nlohmann::json& value) {
      auto doc = base;
      doc[key] = value;
      const auto msg = error_of([&] { UNetConfig::from_json(doc, "config.json"); });
      qInfo("%s", qPrintable(msg));
      QVERIFY2(msg.contains(QString("\"%1\"").arg(key)), key);
      QVERIFY2(msg.contains("config.json"), key);
    };
    expect_key("class_embed_type", "timestep");
    expect_key("attention_head_dim", {2, 4, 8});
    expect_key("transformer_layers_per_block", {1, 2, 3});
    expect_key("cross_attention_dim", "wide");
    expect_key("block_out_channels", {32, 64, 128});
    expect_key("mid_block_type", "UNetMidBlock2DSimpleCrossAttn");
    expect_key("addition_embed_type", "image");
    expect_key("down_block_types", {"AttnDownBlock2D", "DownBlock2D"});
    expect_key("time_embedding_type", "fourier");
    expect_key("norm_num_groups", 48);
    auto text_time = base;
    text_time["addition_embed_type"] = "text_time";
    QVERIFY(error_of([&] { UNetConfig::from_json(text_time, "c"); }).contains("addition_time_embed_dim"));

    // Defaults: an almost empty config is SD1.5's UNet; mid_block_type null removes the mid block.
    const auto sd15 = UNetConfig::from_json(nlohmann::json::object(), "empty");
    QCOMPARE(sd15.block_out_channels, (std::vector<std::int64_t>{320, 640, 1280, 1280}));
    QCOMPARE(sd15.cross_attention_dim, (std::vector<std::int64_t>(4, 1280)));
    QCOMPARE(sd15.num_attention_heads, (std::vector<std::int64_t>(4, 8)));
    auto no_mid = base;
    no_mid["mid_block_type"] = nullptr;
    auto model = UNet2DConditionModel(UNetConfig::from_json(no_mid, "no_mid"));
    QVERIFY(!model->mid_block);
    for (const auto& l : model->attention_layers()) QVERIFY(l.place != Place::Mid);
  }
};

QTEST_APPLESS_MAIN(TestUNet)
#include "test_unet.moc"
