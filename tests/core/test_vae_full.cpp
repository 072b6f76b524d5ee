// Full-size SD1.5 VAE decoder (runwayml config from the manifest, splitmix weights) against
// diffusers 0.27.2: a [1,4,16,16] latent decoded to [1,3,128,128]. Reports time and peak RSS.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>
#include <chrono>
#include <fstream>

#include "core/config/vae_config.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "fixtures.h"
#include "vae_fixtures.h"

using namespace storyscope;
using namespace storyscope::testing;

namespace {
double peak_rss_gb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / (1024.0 * 1024.0);  // kB
  return 0.0;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

class TestVaeFull : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void sd15VaeDecode() {
    const auto c = manifest_case("sd15_vae_decode");
    const auto ref = load_safetensors(fixture("sd15_vae_decode.safetensors"));
    QVERIFY(at::equal(splitmix_input("sd15_vae_decode.latent", {1, 4, 16, 16}), ref.at("latent")));

    auto t0 = std::chrono::steady_clock::now();
    AutoencoderKL vae(VAEConfig::from_json(c.at("config"), "manifest.json sd15_vae_decode.config"));
    vae->eval();
    std::int64_t params = 0;
    for (const auto& p : vae->parameters()) params += p.numel();
    QCOMPARE(params, c.at("weights").at("num_params").get<std::int64_t>());
    fill_splitmix(*vae);
    const double fill_s = seconds_since(t0);

    std::map<std::string, at::Tensor> taps;
    t0 = std::chrono::steady_clock::now();
    at::Tensor image;
    {
      at::NoGradGuard no_grad;
      image = vae->decode(ref.at("latent"), [&](const std::string& m, const at::Tensor& t) {
        taps[m] = probe_of(t).clone();  // keep 256 values, not the whole activation
      });
    }
    const double decode_s = seconds_since(t0);
    QCOMPARE(image.sizes().vec(), (std::vector<std::int64_t>{1, 3, 128, 128}));
    const double diff = max_abs_diff(image, ref.at("decoded_image"));
    const double tol = suggested_max_abs(c, "decoded_image");
    qInfo("sd15_vae_decode: %lld params, build+splitmix %.2f s, decode %.2f s, peak RSS %.2f GB",
          (long long)params, fill_s, decode_s, peak_rss_gb());
    qInfo("decoded_image max abs diff %.3g (tolerance %.3g)", diff, tol);
    // The taps already hold probes; probing a probe of <= 256 values is the identity.
    check_probes(c, ref, taps, VaeCall::Decode);
    QVERIFY(diff <= tol);
  }
};

QTEST_APPLESS_MAIN(TestVaeFull)
#include "test_vae_full.moc"
