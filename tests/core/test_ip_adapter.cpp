// IP-Adapter (basic and Plus) against diffusers 0.27.2 (fixtures/ip_adapter): the weight
// conversion and index order, the projected image tokens, one UNet call at scale 0.6 and 0, a
// whole DDIM run on the tiny SD 1.5 pipeline with an image prompt, the AttentionStore's records
// of the image-token attention, and the errors of adapters that do not fit.
#include <ATen/ATen.h>
#include <torch/nn.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <filesystem>

#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/attention/records_file.h"
#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/models/vision/clip_image_processor.h"
#include "core/models/vision/ip_adapter.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;
namespace fs = std::filesystem;

namespace {

// Floor for intermediates the manifests give no tolerance for (tokens, image embeds): the
// float32 computations agree far closer.
constexpr double kTightTolerance = 1e-5;

const json& ipa_manifest() {
  static const json doc =
      parse_python_json(read_file(fixture("ip_adapter/manifest.json")), "ip_adapter/manifest.json");
  return doc;
}

// The tiny SD 1.5 DDIM cfg 7.5 case of fixtures/e2e: the IP-Adapter runs use its call.
const json& e2e_ddim_case() {
  static const json doc = parse_python_json(read_file(fixture("e2e/manifest.json")), "e2e/manifest.json");
  for (const auto& p : doc.at("pipelines"))
    if (p.at("name") == "tiny_sd15_pipeline")
      for (const auto& c : p.at("cases"))
        if (c.at("case") == "ddim_cfg7.5") return c;
  throw std::runtime_error("e2e manifest has no tiny_sd15_pipeline ddim_cfg7.5 case");
}

std::string manifest_key(bool plus) { return plus ? "ip_adapter_plus" : "ip_adapter"; }
std::string weights_file(bool plus) {
  return fixture(std::string("ip_adapter/") + (plus ? "ip_adapter_plus_tiny" : "ip_adapter_tiny") +
                 ".safetensors");
}
std::string case_file(bool plus) {
  return fixture(std::string("ip_adapter/") + (plus ? "ip_adapter_plus_tiny" : "ip_adapter_tiny") +
                 ".case.safetensors");
}

void check(const char* what, const at::Tensor& ours, const at::Tensor& ref, double tol) {
  QVERIFY2(ours.sizes() == ref.sizes(),
           (std::string(what) + ": shape " + shape_to_string(ours.sizes().vec()) + " vs " +
            shape_to_string(ref.sizes().vec()))
               .c_str());
  const double d = max_abs_diff(ours.cpu(), ref);
  qInfo("  %-34s max abs %.3g (tolerance %.3g)", what, d, tol);
  QVERIFY2(d <= tol, what);
}

// Puts the default processors back when a test is done with the shared UNet.
struct DefaultProcessorsAfter {
  UNet2DConditionModel& unet;
  ~DefaultProcessorsAfter() {
    unet->set_attn_processor([](const LayerInfo&) { return AttentionProcessorPtr(); });
  }
};

template <typename F>
std::string error_text(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

class TestIpAdapter : public QObject {
  Q_OBJECT
  std::shared_ptr<ModelBundle> bundle_;
  CLIPVisionModelWithProjection encoder_{nullptr};

  ModelBundle& bundle() {
    if (!bundle_) bundle_ = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
    return *bundle_;
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    encoder_ = load_clip_vision_model(fixture("ip_adapter/image_encoder"));
  }

  void adapter_layout_data() {
    QTest::addColumn<bool>("plus");
    QTest::newRow("basic") << false;
    QTest::newRow("plus") << true;
  }
  void adapter_layout() {
    QFETCH(bool, plus);
    const auto adapter = IPAdapter::load(weights_file(plus), *bundle().unet());
    QCOMPARE(adapter->is_plus(), plus);
    QCOMPARE(adapter->num_tokens(), std::int64_t(plus ? 16 : 4));
    // Each original index sits on the layer diffusers gives it (down, up, mid order).
    const auto& weights = adapter->modifier()->weights();
    const auto& order = ipa_manifest().at(manifest_key(plus)).at("ip_adapter_index_order");
    QCOMPARE(weights.size(), order.size());
    const auto file = SafetensorsFile::open(weights_file(plus));
    for (const auto& entry : order) {
      std::string layer = entry.at("processor").get<std::string>();
      layer = layer.substr(0, layer.size() - std::string(".processor").size());
      QVERIFY2(weights.count(layer), layer.c_str());
      const std::string index = std::to_string(entry.at("index").get<int>());
      QVERIFY(at::equal(weights.at(layer).to_k_ip, file->tensor("ip_adapter." + index + ".to_k_ip.weight")));
      QVERIFY(at::equal(weights.at(layer).to_v_ip, file->tensor("ip_adapter." + index + ".to_v_ip.weight")));
      QCOMPARE(weights.at(layer).to_k_ip.size(0), entry.at("hidden_size").get<std::int64_t>());
    }
    if (plus) {
      // to_kv is split in half along dim 0 into to_k / to_v, as diffusers converts it.
      const auto state = adapter->plus_projection()->named_parameters();
      const at::Tensor kv = file->tensor("image_proj.layers.2.0.to_kv.weight");
      QVERIFY(at::equal(state["layers.2.2.to_k.weight"], kv.slice(0, 0, kv.size(0) / 2)));
      QVERIFY(at::equal(state["layers.2.2.to_v.weight"], kv.slice(0, kv.size(0) / 2)));
      QVERIFY(at::equal(state["layers.3.3.1.net.2.weight"], file->tensor("image_proj.layers.3.1.3.weight")));
    }
  }

  void unet_call_matches_diffusers_data() { adapter_layout_data(); }
  void unet_call_matches_diffusers() {
    QFETCH(bool, plus);
    at::NoGradGuard no_grad;
    const auto ref = load_safetensors(case_file(plus));
    const auto& call = ipa_manifest().at(manifest_key(plus)).at("unet_call");
    const double tol = call.at("suggested_tolerance").at("max_abs").get<double>();
    auto& unet = bundle().unet();
    DefaultProcessorsAfter restore{unet};
    const auto adapter = IPAdapter::load(weights_file(plus), *unet);

    const at::Tensor tokens = adapter->project(ref.at("unet/image_embeds"));
    check("image_tokens", tokens, ref.at("unet/image_tokens").flatten(1, 2), kTightTolerance);

    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_modifier(adapter->modifier());
    unet->set_attn_processor([processor](const LayerInfo&) { return processor; });
    adapter->modifier()->set_image_tokens(tokens);
    adapter->modifier()->set_scale(0.6);
    const auto run = [&] {
      return unet->forward(ref.at("unet/sample"), ref.at("unet/timestep"),
                           ref.at("unet/encoder_hidden_states"));
    };
    const at::Tensor with_image = run();
    check("noise_pred (scale 0.6)", with_image, ref.at("unet/noise_pred"), tol);
    adapter->modifier()->set_scale(0.0);
    check("noise_pred (scale 0)", run(), ref.at("unet/noise_pred_scale0"), tol);
    // The adapter matters: the scale-0 output is far from the scale-0.6 one.
    QVERIFY(max_abs_diff(with_image, ref.at("unet/noise_pred_scale0")) > 100 * tol);
  }

  void pipeline_matches_diffusers_data() { adapter_layout_data(); }
  void pipeline_matches_diffusers() {
    QFETCH(bool, plus);
    const auto ref = load_safetensors(case_file(plus));
    const auto& e2e = e2e_ddim_case();
    const auto& tol = e2e.at("suggested_tolerance");
    const auto tol_of = [&](const std::string& key) { return tol.at(key).at("max_abs").get<double>(); };
    auto& unet = bundle().unet();
    DefaultProcessorsAfter restore{unet};

    IPAdapterInput ip;
    ip.adapter = IPAdapter::load(weights_file(plus), *unet);
    ip.scale = 0.6;
    const ClipImageProcessor processor(
        ClipImageProcessorConfig::from_file(fixture("ip_adapter/feature_extractor")));
    const at::Tensor pixels = processor.preprocess(ref.at("pipe/ip_adapter_image_uint8"));
    ip.image_embeds = ip.adapter->encode_image(*encoder_, pixels);
    const auto& vision_tol = ipa_manifest().at("clip_vision").at("suggested_tolerance");
    const double embeds_tol =
        vision_tol.at(plus ? "penultimate_hidden_state" : "image_embeds").at("max_abs").get<double>();
    check("image_embeds [negative; positive]",
          at::cat({ip.image_embeds.negative, ip.image_embeds.positive}, 0),
          ref.at("pipe/image_embeds").squeeze(1), embeds_tol);
    if (!plus) QCOMPARE(ip.image_embeds.negative.abs().max().item<double>(), 0.0);
    check("unet_call0 image tokens", ip_adapter_tokens(ip, 1, true),
          ref.at("pipe/unet_call0_image_tokens").flatten(1, 2), kTightTolerance);

    Txt2ImgRequest r;
    const auto& c = e2e.at("call");
    r.prompt = c.at("prompt").get<std::string>();
    r.negative = c.at("negative_prompt").get<std::string>();
    r.steps = c.at("num_inference_steps").get<int>();
    r.guidance = c.at("guidance_scale").get<double>();
    r.width = c.at("width").get<std::int64_t>();
    r.height = c.at("height").get<std::int64_t>();
    r.sampler = "DDIMScheduler";
    r.init_latents = ref.at("pipe/latents_passed");
    r.ip_adapter = ip;

    struct Latents : RunObserver {
      std::vector<at::Tensor> after;
      void on_latents(int, const at::Tensor& l) override { after.push_back(l.clone()); }
    } observer;
    const Txt2ImgResult result = Txt2Img(bundle_).run(r, &observer);
    QCOMPARE(static_cast<int>(observer.after.size()), r.steps);
    for (int i = 0; i < r.steps; ++i) {
      const std::string key = "latents_after_step/" + std::to_string(i);
      check(key.c_str(), observer.after[i], ref.at("pipe/" + key), tol_of(key));
    }
    check("image", result.images.permute({0, 2, 3, 1}), ref.at("pipe/image"), tol_of("image"));
    // The adapter left with the run: every layer has its default processor again.
    for (const auto& a : unet->attention_modules())
      QVERIFY(a->processor() == DefaultAttentionProcessor::shared());
    QVERIFY(!ip.adapter->modifier()->image_tokens().defined());
  }

  void store_records_image_token_attention() {
    const auto ref = load_safetensors(case_file(false));
    auto& unet = bundle().unet();
    DefaultProcessorsAfter restore{unet};
    IPAdapterInput ip;
    ip.adapter = IPAdapter::load(weights_file(false), *unet);
    ip.scale = 0.6;
    ip.image_embeds.positive = ref.at("pipe/image_embeds")[1];
    ip.image_embeds.negative = ref.at("pipe/image_embeds")[0];

    AttentionStoreOptions options;
    options.token_positions = {1, 2, 3};
    auto store = std::make_shared<AttentionStore>(options);
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_observer(store);
    unet->set_attn_processor([processor](const LayerInfo&) { return processor; });

    Txt2ImgRequest r;
    r.prompt = "a red fox";
    r.steps = 2;
    r.width = r.height = 32;
    r.ip_adapter = ip;
    const Txt2ImgResult result = Txt2Img(bundle_).run(r);
    QVERIFY(!result.cancelled);
    QVERIFY(processor->modifiers().empty());  // the run took its modifier away again

    const AttentionRecordSet set = store->records();
    // One image-token record per cross-attention layer, step and conditional row.
    const std::size_t crosses = ip.adapter->modifier()->weights().size();
    QCOMPARE(set.added_records.size(), crosses * 2);
    QCOMPARE(set.records.size(), crosses * 2);
    for (const auto& rec : set.added_records) {
      QCOMPARE(rec.keys, std::string(kIpImageKeys));
      QCOMPARE(rec.weight, 0.6);
      QCOMPARE(rec.probs.size(0), ip.adapter->num_tokens());
      QCOMPARE(rec.probs.size(1), rec.height * rec.width);
      // A softmax over the image tokens alone: every pixel's column sums to 1 (float16 storage).
      const double worst = (rec.probs.to(at::kFloat).sum(0) - 1).abs().max().item<double>();
      QVERIFY2(worst < 5e-3, rec.layer.c_str());
    }
    for (const auto& rec : set.records) QCOMPARE(rec.probs.size(0), std::int64_t(3));

    // The records file keeps them apart from the word maps, and reads them back.
    const fs::path dir = fs::temp_directory_path() / ("ipa_records_" + std::to_string(::getpid()));
    save_attention_records(set, dir.string());
    const AttentionRecordSet loaded = load_attention_records(dir.string());
    fs::remove_all(dir);
    QCOMPARE(loaded.records.size(), set.records.size());
    QCOMPARE(loaded.added_records.size(), set.added_records.size());
    for (std::size_t i = 0; i < set.added_records.size(); ++i) {
      QCOMPARE(loaded.added_records[i].keys, set.added_records[i].keys);
      QCOMPARE(loaded.added_records[i].weight, 0.6);
      QCOMPARE(loaded.added_records[i].layer, set.added_records[i].layer);
      QVERIFY(at::equal(loaded.added_records[i].probs, set.added_records[i].probs));
    }
  }

  void misfit_adapters_are_errors() {
    const auto file = SafetensorsFile::open(weights_file(false));
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& name : file->names())
      if (name != "ip_adapter.5.to_v_ip.weight") tensors.emplace_back(name, file->tensor(name));
    tensors.emplace_back("ip_adapter.13.to_k_ip.weight", at::zeros({32, 32}));
    const fs::path dir = fs::temp_directory_path() / ("ipa_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "broken.safetensors").string();
    write_safetensors(path, tensors);
    const std::string message = error_text([&] { IPAdapter::load(path, *bundle().unet()); });
    fs::remove_all(dir);
    QVERIFY2(message.find("ip_adapter.5.to_v_ip.weight missing") != std::string::npos, message.c_str());
    QVERIFY2(message.find("ip_adapter.13.to_k_ip.weight") != std::string::npos, message.c_str());

    // The UNet's own weights are no adapter.
    const std::string not_adapter = error_text(
        [&] { IPAdapter::load(fixture("ip_adapter/image_encoder/model.safetensors"), *bundle().unet()); });
    QVERIFY2(not_adapter.find("not an IP-Adapter") != std::string::npos, not_adapter.c_str());

    // Basic embeds of the wrong width are a bad input naming the field.
    const auto adapter = IPAdapter::load(weights_file(false), *bundle().unet());
    QVERIFY(error_text([&] {
              adapter->project(at::zeros({1, 31}));
            }).find("image_embeds") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestIpAdapter)
#include "test_ip_adapter.moc"
