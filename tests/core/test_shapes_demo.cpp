// The shipped demo model (resources/models/shapes-demo) at the levels its model card reports.
// A seeded end-to-end run of the evaluation (the first kCaptions captions of the model card's
// seed-0 set, 30 DDIM steps, CFG 2) must reach the accuracy and alignment measured on this set
// when the model shipped, minus a margin that absorbs float differences between machines and
// thread counts (an image whose object sits on a decision boundary may flip). Retraining the
// model means remeasuring and updating kReached; a regression in the engine, the tokenizer, the
// checker or the weights fails here. Also: NaN weights are named at load.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "core/common/error.h"
#include "core/demo/shapes_eval.h"
#include "core/pipeline/model_loader.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"

using namespace storyscope;
namespace fs = std::filesystem;

namespace {

constexpr int kCaptions = 48;
constexpr double kMargin = 0.10;  // accuracies and IoU are fractions

// Measured with `storyscope-cli shapes eval --captions 48 --stories 0 --seed 0` (CFG 2) on the
// shipped weights (step 11,706 of the cpu32 run; see the model card). Only levels above chance by
// more than the margin are asserted: position (29%, chance 20%) and pattern (32%, chance 25%) are
// not yet, and companion (4/11) is too few images. Add them when a model that beats them ships.
const std::map<std::string, double>& reached_accuracy() {
  static const std::map<std::string, double> levels = {
      {"scene", 0.405}, {"colour", 0.977}, {"shape", 0.417}, {"size", 0.818}};
  return levels;
}
constexpr double kReachedObjectIou = 0.449;  // mean p2p IoU over main-object words (uniform map: 0.063)
constexpr double kReachedFound = 48.0 / 48;  // images where the checker finds the main object

}  // namespace

class TestShapesDemo : public QObject {
  Q_OBJECT

 private:
  std::shared_ptr<ModelBundle> bundle_;

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    const std::string dir = demo_model_dir();
    QVERIFY2(!dir.empty(), "resources/models/shapes-demo is not installed");
    bundle_ = load_model(ModelLocation{dir, "", ""});
  }

  void isTheShapesWorldModel() {
    // One token per world word (the shapes vocabulary), so per-word attention is per-token.
    const auto encoding = bundle_->tokenizer().encode("a big red striped circle on the left in the snow");
    QCOMPARE(encoding.ids.size(), std::size_t(13));  // SOT + 11 words + EOT
    QCOMPARE(encoding.words.size(), std::size_t(11));
  }

  void nanWeightsAreNamedAtLoad() {
    // One NaN in a copy of the demo UNet: loading fails with a model error naming the file and the
    // tensor, instead of a run that ends in a black image.
    QTemporaryDir tmp;
    const fs::path copy = fs::path(tmp.path().toStdString()) / "shapes-demo";
    fs::copy(demo_model_dir(), copy, fs::copy_options::recursive);
    const std::string weights = (copy / "unet" / "diffusion_pytorch_model.safetensors").string();
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    {
      const auto file = SafetensorsFile::open(weights);
      for (const auto& [name, t] : tensors_of(file)) tensors.emplace_back(name, t.clone());
    }
    for (auto& [name, t] : tensors)
      if (name == "conv_in.weight") t.view(-1)[3] = std::nanf("");
    write_safetensors(weights, tensors);
    try {
      load_model(ModelLocation{copy.string(), "", ""});
      QFAIL("weights with a NaN were loaded");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Model);
      QCOMPARE(e.location(), std::string("conv_in.weight"));
      QVERIFY2(std::string(e.what()).find("NaN") != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find("unet") != std::string::npos, e.what());
    }
  }

  void reachesTheMeasuredLevels() {
    ShapesEvalOptions options;
    options.captions = kCaptions;
    options.stories = 0;
    options.seed = 0;
    const ShapesEvalReport report = evaluate_shapes_model(bundle_, options);
    QCOMPARE(report.images, kCaptions);
    const std::string found = "main object found in " + std::to_string(report.main_found) + " of " +
                              std::to_string(kCaptions) + ", shipped at " + std::to_string(kReachedFound);
    QVERIFY2(report.main_found >= (kReachedFound - kMargin) * kCaptions, found.c_str());
    for (const auto& [attribute, reached] : reached_accuracy()) {
      const AttributeAccuracy& a = report.attributes.at(attribute);
      QVERIFY2(a.total > 0, attribute.c_str());
      const std::string what = attribute + ": " + std::to_string(a.correct) + "/" + std::to_string(a.total) +
                               ", shipped at " + std::to_string(reached);
      QVERIFY2(a.accuracy() >= reached - kMargin, what.c_str());
    }
    const std::string iou = "object-word IoU " + std::to_string(report.object_words.mean_iou()) +
                            ", shipped at " + std::to_string(kReachedObjectIou);
    QVERIFY2(report.object_words.mean_iou() >= kReachedObjectIou - kMargin, iou.c_str());
  }
};

QTEST_APPLESS_MAIN(TestShapesDemo)
#include "test_shapes_demo.moc"
