// Out-of-memory prediction (issue #8, item 4): generate, story and training estimate the memory
// a run needs (memory_estimate.h) and refuse before allocating when it exceeds what is available,
// with a message naming the run, the settings and both numbers. STORYSCOPE_MEMORY_LIMIT_BYTES
// stands in for a small machine: the refusal starts exactly where needed + 25% exceeds it.
// The training estimate is checked against the measured peak of a real training step.
#include <ATen/ATen.h>
#include <stdlib.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/memory.h"
#include "core/demo/shapes_data.h"
#include "core/demo/shapes_model_config.h"
#include "core/demo/shapes_vocab.h"
#include "core/demo/trainer.h"
#include "core/pipeline/memory_estimate.h"
#include "core/pipeline/model_bundle.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;
using storyscope::testing::CliResult;
using storyscope::testing::fixture;
namespace fs = std::filesystem;

namespace {

constexpr const char* kLimit = "STORYSCOPE_MEMORY_LIMIT_BYTES";

// Sets the limit for this process and the CLI children it starts (run_cli copies the environment).
struct ScopedLimit {
  explicit ScopedLimit(const std::string& value) { ::setenv(kLimit, value.c_str(), 1); }
  explicit ScopedLimit(std::int64_t bytes) : ScopedLimit(std::to_string(bytes)) {}
  ~ScopedLimit() { ::unsetenv(kLimit); }
};

QString fx(const std::string& rel) { return QString::fromStdString(fixture(rel)); }

// The tiny pipeline's estimate for `images` images at its default size, with CFG.
std::int64_t tiny_run_estimate(int images) {
  static const auto bundle = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
  const std::int64_t latent = bundle->default_image_size() / bundle->vae_scale_factor();
  return estimate_run_memory(bundle->unet()->config(), bundle->vae()->config(), 2 * images, latent, latent, 4)
      .total_bytes();
}

ShapesModelConfig cpu32_model() {
  return shapes_model_config(ShapesPreset::Cpu32, {shapes_vocab_size(), 0, 0, 0});
}

}  // namespace

class TestMemoryRefusal : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

  QString tmp(const QString& name) const { return tmp_.filePath(name); }
  std::string tmps(const std::string& name) const { return tmp(QString::fromStdString(name)).toStdString(); }
  CliResult run_cli(const QStringList& args) const {
    return storyscope::testing::run_cli(args, tmp("config"));
  }

  // A cpu32 shapes trainer writing into `out`.
  std::unique_ptr<DiffusionTrainer> cpu32_trainer(const std::string& out, int batch) const {
    const std::string tokenizer = tmps("shapes_tokenizer");
    write_shapes_tokenizer(tokenizer);
    const ClipTokenizer tok = ClipTokenizer::from_folder(tokenizer);
    const ShapesModelConfig model = shapes_model_config(
        ShapesPreset::Cpu32,
        {static_cast<std::int64_t>(tok.vocab_size()), tok.bos_id(), tok.eos_id(), tok.pad_id()});
    TrainerOptions o;
    o.unet_config = model.unet;
    o.text_encoder_config = model.text_encoder;
    o.scheduler_config = model.scheduler;
    o.tokenizer_dir = tokenizer;
    o.out_dir = out;
    o.batch_size = batch;
    o.steps = 1;
    o.checkpoint_every = 0;
    ShapesWorldDataOptions data;
    data.image_size = static_cast<int>(model.image_size);
    return std::make_unique<DiffusionTrainer>(o, std::make_shared<ShapesWorldData>(data));
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    QVERIFY(tmp_.isValid());
    QVERIFY(QDir().mkpath(tmp("config")));
    ::unsetenv(kLimit);
  }

  void limitFromTheEnvironment() {
    const std::int64_t machine = available_memory_bytes();
    QCOMPARE(memory_available_for_runs(), machine);
    {
      ScopedLimit limit(12345);
      QCOMPARE(memory_available_for_runs(), machine < 0 ? 12345 : std::min<std::int64_t>(machine, 12345));
    }
    for (const char* bad : {"12x", "-5", "0", "lots"}) {
      ScopedLimit limit(bad);
      try {
        (void)memory_available_for_runs();
        QFAIL(bad);
      } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::BadInput);
        QCOMPARE(QString::fromStdString(e.file()), QString(kLimit));
        QVERIFY2(std::string(e.what()).find(bad) != std::string::npos, e.what());
      }
    }
  }

  // Refused exactly when needed + needed / 4 exceeds the limit; the message has both numbers.
  void refusalBoundaryAndMessage() {
    const std::int64_t needed = 40'000'000;
    const std::int64_t edge = needed + needed / 4;
    {
      ScopedLimit limit(edge);
      check_memory_available(needed, "generate --width/--height");  // fits, just
    }
    ScopedLimit limit(edge - 1);
    try {
      check_memory_available(needed, "generate --width/--height");
      QFAIL("not refused");
    } catch (const Error& e) {
      const std::string m = e.what();
      QCOMPARE(e.kind(), ErrorKind::BadInput);
      QCOMPARE(QString::fromStdString(e.location()), QString("generate --width/--height"));
      for (const std::string& part : {std::string("needs about 38 MiB (40000000 bytes"),
                                      "only 48 MiB (" + std::to_string(edge - 1) + " bytes)",
                                      std::string("limited by STORYSCOPE_MEMORY_LIMIT_BYTES")})
        QVERIFY2(m.find(part) != std::string::npos, (part + " not in: " + m).c_str());
    }
  }

  void generateIsRefusedBeforeTheRun() {
    const std::int64_t needed = tiny_run_estimate(1);
    const QStringList args{"generate", "--model",   fx("e2e/tiny_sd15_pipeline"),
                           "--prompt", "a red fox", "--steps",
                           "2",        "--seed",    "1",
                           "--out"};
    {
      ScopedLimit limit(needed);  // below needed + 25%
      const CliResult r = run_cli(args + QStringList{tmp("refused.png")});
      QCOMPARE(r.code, 2);
      for (const QString& part : {QString("storyscope-cli generate: --width/--height/--batch: needs about"),
                                  " (" + QString::number(needed) + " bytes",
                                  "only " + QString::fromStdString(format_bytes(needed)) + " (" +
                                      QString::number(needed) + " bytes) is available"})
        QVERIFY2(r.err.contains(part), qPrintable(part + " not in: " + r.err));
      QVERIFY(!QFile::exists(tmp("refused.png")));
    }
    ScopedLimit limit(2 * needed);
    const CliResult ok = run_cli(args + QStringList{tmp("fits.png")});
    QVERIFY2(ok.code == 0, qPrintable(ok.err));
    QVERIFY(QFile::exists(tmp("fits.png")));
  }

  void storyIsRefusedBeforeTheRun() {
    const std::string story = tmps("story.json");
    write_file_atomically(
        story,
        json{{"identity", "a red fox"}, {"frames", {"in the snow", "by a river"}}, {"steps", 2}}.dump());
    const std::int64_t needed = tiny_run_estimate(1);
    ScopedLimit limit(needed);
    const CliResult r = run_cli({"story", QString::fromStdString(story), "--model",
                                 fx("e2e/tiny_sd15_pipeline"), "--out", tmp("story_out")});
    QCOMPARE(r.code, 2);
    for (const QString& part : {"storyscope-cli story: " + QString::fromStdString(story) + ": width/height",
                                QString("needs about"), " (" + QString::number(needed) + " bytes"})
      QVERIFY2(r.err.contains(part), qPrintable(part + " not in: " + r.err));
    QVERIFY(!fs::exists(tmps("story_out")));
  }

  // The trainer refuses in train(), before the first step and before writing anything.
  void trainingIsRefusedBeforeTheFirstStep() {
    const std::string out = tmps("train_refused");
    auto trainer = cpu32_trainer(out, 32);
    const std::int64_t needed =
        estimate_training_memory(trainer->unet()->config(), trainer->parameter_count(), 32, 32, 32, 77);
    ScopedLimit limit(needed);
    try {
      trainer->train();
      QFAIL("not refused");
    } catch (const Error& e) {
      const std::string m = e.what();
      QVERIFY2(m.find("training (batch 32, 32x32): needs about") != std::string::npos, m.c_str());
      QVERIFY2(m.find("(" + std::to_string(needed) + " bytes") != std::string::npos, m.c_str());
    }
    QCOMPARE(trainer->step(), std::int64_t(0));
    QVERIFY(!fs::exists(out));
  }

  void shapesTrainCliIsRefused() {
    ScopedLimit limit(1'000'000);
    const CliResult r = run_cli(
        {"shapes", "train", "--out", tmp("cli_train"), "--steps", "1", "--batch", "32", "--threads", "1"});
    QCOMPARE(r.code, 2);
    for (const QString& part :
         {QString("storyscope-cli shapes train: training (batch 32, 32x32): needs about"),
          QString("only 977 KiB (1000000 bytes) is available")})
      QVERIFY2(r.err.contains(part), qPrintable(part + " not in: " + r.err));
    QVERIFY(!fs::exists(tmps("cli_train/checkpoint")));
    QVERIFY(!fs::exists(tmps("cli_train/train_log.csv")));
    QVERIFY(!fs::exists(tmps("cli_train/unet")));
  }

  // The estimate against the measured peak of one cpu32 step: within a factor of 1.5.
  // Before the step the weights and the EMA copy exist; the step adds gradients, AdamW's two
  // moments and the activations.
  void trainingEstimateMatchesAMeasuredStep_data() {
    QTest::addColumn<int>("batch");
    for (int b : {4, 32}) QTest::newRow(("batch " + std::to_string(b)).c_str()) << b;
  }
  void trainingEstimateMatchesAMeasuredStep() {
    QFETCH(int, batch);
    auto trainer = cpu32_trainer(tmps("train_measured"), batch);
    const std::int64_t params = trainer->parameter_count();
    const std::int64_t estimate =
        estimate_training_memory(trainer->unet()->config(), params, batch, 32, 32, 77) - 2 * params * 4;
    if (!reset_peak_rss()) QSKIP("cannot reset the peak RSS (/proc/self/clear_refs)");
    const std::int64_t before = current_rss_bytes();
    (void)trainer->train_step();
    const std::int64_t measured = peak_rss_bytes() - before;
    const double ratio = static_cast<double>(estimate) / static_cast<double>(measured);
    qInfo("cpu32 batch %d: one step peaked %.1f MiB above the model, estimate %.1f MiB (ratio %.2f)", batch,
          measured / 1048576.0, estimate / 1048576.0, ratio);
    QVERIFY2(ratio > 1 / 1.5 && ratio < 1.5, qPrintable(QString::number(ratio)));
  }
};

QTEST_APPLESS_MAIN(TestMemoryRefusal)
#include "test_memory_refusal.moc"
