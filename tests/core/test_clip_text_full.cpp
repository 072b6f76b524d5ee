// Full-size CLIP text encoders (SD 1.5 ViT-L, SD 2.1 OpenCLIP ViT-H, SDXL bigG with projection)
// from the manifest's configs with splitmix weights, against transformers 4.38. Slow: about
// 1.2 B parameters in all, built one at a time and freed after each case.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <QtTest/QtTest>
#include <chrono>
#include <fstream>

#include "clip_text_fixtures.h"
#include "core/config/clip_text_config.h"
#include "core/config/json_fields.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "core/text/clip_text_model.h"

using namespace storyscope;
using storyscope::testing::fixture;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Linux high-water mark of resident memory, in GB (0 where /proc is unavailable).
double peak_rss_gb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / (1024.0 * 1024.0);
  return 0;
}

template <typename Model>
void run_case(const std::string& name) {
  const auto c = testing::manifest_case(name);
  const auto config = ClipTextConfig::from_json(JsonFields(c.at("config_args"), "manifest.json: " + name));
  const auto stored = load_safetensors(fixture(c.at("file").get<std::string>()));
  const auto ids = stored.at("input_ids");

  auto start = std::chrono::steady_clock::now();
  Model model(config);
  std::int64_t params = 0;
  for (const auto& p : model->parameters()) params += p.numel();
  QCOMPARE(params, c.at("weights").at("num_params").get<std::int64_t>());
  fill_splitmix(*model);
  const double fill_s = seconds_since(start);

  at::NoGradGuard no_grad;
  start = std::chrono::steady_clock::now();
  const auto out = model->forward(ids);
  const double forward_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  const auto all = model->forward(ids, {true, 0});
  const double second_forward_s = seconds_since(start);

  const std::map<std::string, at::Tensor> ours = {{"last_hidden_state", out.last_hidden_state},
                                                  {"penultimate_hidden_state", out.penultimate_hidden_state},
                                                  {"pooler_output", out.pooler_output},
                                                  {"text_embeds", out.text_embeds}};
  int compared = 0;
  for (const auto& [key, stats] : c.at("outputs").items()) {
    QVERIFY2(ours.count(key) && ours.at(key).defined(), key.c_str());
    QVERIFY2(testing::within(name + " " + key, ours.at(key), stored.at(key), testing::tolerance(c, key)),
             key.c_str());
    ++compared;
  }
  QVERIFY(compared >= 3);
  QCOMPARE(std::int64_t(all.hidden_states.size()), config.num_hidden_layers + 1);
  QVERIFY(at::equal(all.last_hidden_state, out.last_hidden_state));
  const int probes =
      testing::check_hidden_state_probes(stored, all.hidden_states, c, "penultimate_hidden_state");
  QCOMPARE(probes, int(all.hidden_states.size()));
  qInfo(
      "%s: %.0f M params, splitmix fill %.1f s, fp32 forward %.2f s (again, keeping all states: %.2f s; "
      "reference %.2f s), peak RSS so far %.2f GB (reference process %.2f GB)",
      name.c_str(), params / 1e6, fill_s, forward_s, second_forward_s,
      c.at("timing_s").at("forward_fp32").get<double>(), peak_rss_gb(), c.at("peak_rss_gb").get<double>());
}

}  // namespace

class TestClipTextFull : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { at::set_num_threads(2); }
  void clipVitLText() { run_case<CLIPTextModel>("clip_vit_l_text"); }
  void openclipVitHText() { run_case<CLIPTextModel>("openclip_vit_h_text"); }
  void clipBigGTextProj() { run_case<CLIPTextModelWithProjection>("clip_bigg_text_proj"); }
};

QTEST_APPLESS_MAIN(TestClipTextFull)
#include "test_clip_text_full.moc"
