// Tiny AutoencoderKL against diffusers 0.27.2: config parsing, state-dict names and the
// splitmix weights bit for bit, decode/encode parity at the manifest's tolerances, probes, and
// that real faults (a perturbed weight, broken checkpoints) are caught.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn.h>

#include <QtTest/QtTest>
#include <cmath>

#include "core/common/error.h"
#include "core/config/vae_config.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "core/tensor/state_dict.h"
#include "fixtures.h"
#include "vae_fixtures.h"

using namespace storyscope;
using namespace storyscope::testing;
using json = nlohmann::json;

namespace {

std::string weights_path() { return fixture("tiny_vae/diffusion_pytorch_model.safetensors"); }

AutoencoderKL build_tiny() { return AutoencoderKL(VAEConfig::from_file(fixture("tiny_vae/config.json"))); }

TensorMap tiny_weights() { return tensors_of(SafetensorsFile::open(weights_path())); }

AutoencoderKL load_tiny(const TensorMap& weights) {
  auto vae = build_tiny();
  load_state_dict(*vae, weights, weights_path());
  vae->eval();
  return vae;
}

// The message of the Error that parsing `doc` raises ("" if none).
std::string config_error(const json& doc) {
  try {
    VAEConfig::from_json(doc, "vae/config.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool mentions(const std::string& message, const std::string& what) {
  return message.find(what) != std::string::npos;
}

}  // namespace

class TestVae : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void configReadsTinyAndDefaults() {
    const auto c = VAEConfig::from_file(fixture("tiny_vae/config.json"));
    QCOMPARE(c.block_out_channels, (std::vector<std::int64_t>{32, 64}));
    QCOMPARE(c.layers_per_block, std::int64_t(1));
    QCOMPARE(c.latent_channels, std::int64_t(4));
    QCOMPARE(c.sample_size, std::int64_t(32));
    QCOMPARE(c.scaling_factor, 0.18215);
    QVERIFY(!c.shift_factor && !c.latents_mean && !c.latents_std);
    QVERIFY(c.force_upcast && c.mid_block_add_attention && c.use_quant_conv && c.use_post_quant_conv);
    QCOMPARE(c.downscale_factor(), std::int64_t(2));

    // diffusers 0.27 defaults for an empty config.
    const auto d = VAEConfig::from_json(json::object(), "empty.json");
    QCOMPARE(d.block_out_channels, (std::vector<std::int64_t>{64}));
    QCOMPARE(d.down_block_types, (std::vector<std::string>{"DownEncoderBlock2D"}));
    QCOMPARE(d.act_fn, std::string("silu"));
    QCOMPARE(d.norm_num_groups, std::int64_t(32));

    const auto later = VAEConfig::from_json(
        json{{"shift_factor", 0.0609}, {"sample_size", json::array({1024, 1024})}, {"use_quant_conv", false}},
        "sd3_vae.json");
    QCOMPARE(*later.shift_factor, 0.0609);
    QCOMPARE(later.sample_size, std::int64_t(1024));
    QVERIFY(!later.use_quant_conv);
    AutoencoderKL no_quant(later);
    QVERIFY(!no_quant->quant_conv && no_quant->post_quant_conv);
  }

  void configErrorsNameTheKey() {
    QVERIFY(mentions(config_error({{"layers_per_block", "2"}}), "\"layers_per_block\""));
    QVERIFY(mentions(config_error({{"scaling_factor", "x"}}), "\"scaling_factor\""));
    QVERIFY(mentions(config_error({{"force_upcast", 1}}), "\"force_upcast\""));
    auto m = config_error({{"down_block_types", {"AttnDownEncoderBlock2D"}}});
    QVERIFY2(mentions(m, "\"down_block_types\"") && mentions(m, "AttnDownEncoderBlock2D"), m.c_str());
    QVERIFY(mentions(config_error({{"up_block_types", {"UpDecoderBlock2D", "UpDecoderBlock2D"}}}),
                     "\"up_block_types\""));
    QVERIFY(mentions(config_error({{"block_out_channels", {48}}}), "\"norm_num_groups\""));
    QVERIFY(mentions(config_error({{"act_fn", "tanh"}}), "\"act_fn\""));
    QVERIFY(mentions(config_error({{"latents_mean", {0.1, 0.2}}}), "\"latents_mean\""));
    m = config_error({{"latent_channels", 0}});
    QVERIFY2(mentions(m, "vae/config.json") && mentions(m, "\"latent_channels\""), m.c_str());
  }

  void stateDictNamesMatchDiffusers() {
    auto vae = build_tiny();
    const auto file = SafetensorsFile::open(weights_path());
    std::map<std::string, std::vector<std::int64_t>> ours;
    for (const auto& p : vae->named_parameters()) ours[p.key()] = p.value().sizes().vec();
    QCOMPARE(ours.size(), file->entries().size());
    std::int64_t count = 0;
    for (const auto& e : file->entries()) {
      const auto it = ours.find(e.name);
      QVERIFY2(it != ours.end(), e.name.c_str());
      QVERIFY2(it->second == e.shape, e.name.c_str());
      count += file->tensor(e.name).numel();
    }
    QCOMPARE(count, manifest_case("tiny_vae").at("weights").at("num_params").get<std::int64_t>());
  }

  void fileWeightsAreSplitmixBitForBit() {
    auto loaded = load_tiny(tiny_weights());
    auto filled = build_tiny();
    fill_splitmix(*filled);
    const auto a = state_dict_of(*loaded), b = state_dict_of(*filled);
    QCOMPARE(a.size(), b.size());
    for (const auto& [name, t] : a) QVERIFY2(at::equal(t, b.at(name)), name.c_str());
  }

  void decodeMatchesDiffusers() {
    const auto c = manifest_case("tiny_vae");
    const auto ref = load_safetensors(fixture("tiny_vae.safetensors"));
    QVERIFY(at::equal(splitmix_input("tiny_vae.latent", {1, 4, 16, 16}), ref.at("latent")));
    auto vae = load_tiny(tiny_weights());
    std::map<std::string, at::Tensor> taps;
    at::NoGradGuard no_grad;
    const auto image =
        vae->decode(ref.at("latent"), [&](const std::string& m, const at::Tensor& t) { taps[m] = t; });
    QCOMPARE(image.sizes().vec(), (std::vector<std::int64_t>{1, 3, 32, 32}));
    const double diff = max_abs_diff(image, ref.at("decoded_image")),
                 tol = suggested_max_abs(c, "decoded_image");
    qInfo("decoded_image max abs diff %.3g (tolerance %.3g)", diff, tol);
    check_probes(c, ref, taps, VaeCall::Decode);
    QVERIFY(diff <= tol);
  }

  void encodeMatchesDiffusers() {
    const auto c = manifest_case("tiny_vae");
    const auto ref = load_safetensors(fixture("tiny_vae.safetensors"));
    QVERIFY(at::equal(splitmix_input("tiny_vae.image", {1, 3, 32, 32}), ref.at("image")));
    auto vae = load_tiny(tiny_weights());
    std::map<std::string, at::Tensor> taps;
    at::NoGradGuard no_grad;
    const auto posterior =
        vae->encode(ref.at("image"), [&](const std::string& m, const at::Tensor& t) { taps[m] = t; });
    for (const char* out : {"posterior_mean", "posterior_logvar"}) {
      const auto& ours = std::string(out) == "posterior_mean" ? posterior.mean : posterior.logvar;
      QCOMPARE(ours.sizes().vec(), (std::vector<std::int64_t>{1, 4, 16, 16}));
      const double diff = max_abs_diff(ours, ref.at(out)), tol = suggested_max_abs(c, out);
      qInfo("%s max abs diff %.3g (tolerance %.3g)", out, diff, tol);
      QVERIFY2(diff <= tol, out);
    }
    check_probes(c, ref, taps, VaeCall::Encode);
  }

  void posteriorSampling() {
    DiagonalGaussian g =
        DiagonalGaussian::from_moments(at::cat({at::zeros({1, 4, 2, 2}), at::full({1, 4, 2, 2}, 50.0)}, 1));
    QCOMPARE(g.logvar.max().item<double>(), 20.0);  // clamped as diffusers does
    QVERIFY(at::allclose(g.std(), at::full({1, 4, 2, 2}, std::exp(10.0))));
    auto gen_a = at::make_generator<at::CPUGeneratorImpl>(42),
         gen_b = at::make_generator<at::CPUGeneratorImpl>(42);
    const auto s1 = g.sample(gen_a), s2 = g.sample(gen_b);
    QVERIFY(at::equal(s1, s2));
    QCOMPARE(s1.sizes().vec(), g.mean.sizes().vec());
    QVERIFY(at::equal(g.mode(), g.mean));
  }

  void perturbedWeightBreaksParity() {
    const auto c = manifest_case("tiny_vae");
    const auto ref = load_safetensors(fixture("tiny_vae.safetensors"));
    auto weights = tiny_weights();
    // Swapping output channels of one inner conv: same statistics, wrong network.
    auto& w = weights.at("decoder.up_blocks.0.resnets.1.conv1.weight");
    w = w.flip({0}).contiguous();
    auto vae = load_tiny(weights);
    at::NoGradGuard no_grad;
    const double diff = max_abs_diff(vae->decode(ref.at("latent")), ref.at("decoded_image"));
    qInfo("perturbed decoded_image max abs diff %.3g", diff);
    QVERIFY(diff > 100 * suggested_max_abs(c, "decoded_image"));
  }

  void loadErrorsAreReportedTogether() {
    auto weights = tiny_weights();
    weights["decoder.conv_in.weight"] = at::zeros({64, 4, 1, 1});
    weights.erase("encoder.mid_block.attentions.0.to_k.bias");
    auto vae = build_tiny();
    try {
      load_state_dict(*vae, weights, weights_path());
      QFAIL("expected a load error");
    } catch (const Error& e) {
      const std::string m = e.what();
      QCOMPARE(e.kind(), ErrorKind::Model);
      QVERIFY2(mentions(m, "decoder.conv_in.weight") && mentions(m, "[64, 4, 3, 3]"), m.c_str());
      QVERIFY2(mentions(m, "encoder.mid_block.attentions.0.to_k.bias"), m.c_str());
      QVERIFY2(mentions(m, "diffusion_pytorch_model.safetensors"), m.c_str());
    }
  }

  void badInputIsAnError() {
    auto vae = build_tiny();
    at::NoGradGuard no_grad;
    QVERIFY_EXCEPTION_THROWN(vae->decode(at::zeros({1, 3, 8, 8})), Error);
    QVERIFY_EXCEPTION_THROWN(vae->encode(at::zeros({3, 32, 32})), Error);
  }
};

QTEST_APPLESS_MAIN(TestVae)
#include "test_vae.moc"
