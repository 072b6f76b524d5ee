// Full-size UNets (SD1.5, SD2.1-base, SDXL-base) with splitmix weights against the diffusers
// reference: noise prediction and the token-mean probabilities of every cross-attention layer.
// Slow (minutes) and memory-hungry (SDXL ~11 GB): labelled `slow`. Run one case with
// `test_unet_full sd15`; SDXL is skipped when MemAvailable is below 13 GB.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>
#include <chrono>
#include <fstream>

#include "core/config/unet_config.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "fixtures.h"
#include "unet_testing.h"

using namespace storyscope;
using namespace storyscope::unet_testing;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double mem_available_gb() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb / (1024.0 * 1024.0);
  return 0;
}

void run_case(const std::string& name) {
  torch::NoGradGuard no_grad;
  const auto& c = manifest_case(name);
  auto t0 = std::chrono::steady_clock::now();
  auto model = UNet2DConditionModel(UNetConfig::from_json(c.at("config"), "manifest:" + name));
  const double build_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  fill_splitmix(*model);
  const double fill_s = seconds_since(t0);

  const auto file = load_safetensors(fixture(name + ".safetensors"));
  UNetAddedCond added;
  if (file.count("text_embeds")) added = {file.at("text_embeds"), file.at("time_ids")};
  auto capture = std::make_shared<CaptureProcessor>();
  capture->keep_full = false;
  model->set_attn_processor([&](const LayerInfo& l) { return l.is_cross ? capture : nullptr; });

  t0 = std::chrono::steady_clock::now();
  auto pred = model->forward(file.at("sample"), file.at("timestep"), file.at("encoder_hidden_states"), added);
  const double forward_s = seconds_since(t0);
  qInfo("%s: build %.1f s, splitmix fill %.1f s, forward %.2f s (with capture)", name.c_str(), build_s,
        fill_s, forward_s);
  QVERIFY(check_close((name + " noise_pred").c_str(), pred, file.at("noise_pred"),
                      suggested_tolerance(name, "noise_pred")));

  std::vector<std::string> expected;
  for (const auto& p : c.at("attention_probs").at("forward_order")) {
    const auto proc = p.get<std::string>();
    expected.push_back(proc.substr(0, proc.size() - std::string(".processor").size()));
  }
  QCOMPARE(capture->order, expected);
  const double tol =
      manifest().at("attention_probs_suggested_tolerance").at("attn_probs_tokenmean/*").at("max_abs");
  double worst = 0;
  for (const auto& layer : expected) {
    const double d =
        max_abs_diff(capture->token_means.at(layer), file.at("attn_probs_tokenmean/" + layer + ".processor"));
    worst = std::max(worst, d);
    QVERIFY2(d <= tol, layer.c_str());
  }
  qInfo("%s attn_probs_tokenmean: worst max abs diff %.3g (tolerance %.3g) over %zu attn2 layers",
        name.c_str(), worst, tol, expected.size());

  // Without capture: the plain default processors.
  model->set_attn_processor(nullptr);
  t0 = std::chrono::steady_clock::now();
  auto plain =
      model->forward(file.at("sample"), file.at("timestep"), file.at("encoder_hidden_states"), added);
  qInfo("%s: forward %.2f s (default processors)", name.c_str(), seconds_since(t0));
  QVERIFY(check_close((name + " noise_pred (default processors)").c_str(), plain, file.at("noise_pred"),
                      suggested_tolerance(name, "noise_pred")));
}

}  // namespace

class TestUNetFull : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { at::set_num_threads(2); }
  void sd15() { run_case("sd15_unet"); }
  void sd21() { run_case("sd21_unet"); }
  void sdxl() {
    const double avail = mem_available_gb();
    if (avail < 13.0)
      QSKIP(qPrintable(QString("SDXL needs ~12 GB; MemAvailable is %1 GB").arg(avail, 0, 'f', 1)));
    run_case("sdxl_unet");
  }
};

QTEST_APPLESS_MAIN(TestUNetFull)
#include "test_unet_full.moc"
