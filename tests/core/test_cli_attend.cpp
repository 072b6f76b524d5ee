// storyscope-cli attend and forward --capture cross, run as a user would: every promised file
// of a generate run and of an --image run, alignment with a mask, the views, bad masks, and the
// captured cross-attention probabilities against the diffusers fixture.
#include <ATen/ATen.h>
#include <signal.h>
#include <sys/types.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <string>

#include "core/common/atomic_file.h"
#include "core/config/json_fields.h"
#include "core/imaging/png_metadata.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;
namespace fs = std::filesystem;

namespace {

const char* const kPrompt = "a red fox in the snow";
const std::vector<std::string> kWordFiles = {"00_a", "01_red", "02_fox", "03_in", "04_the", "05_snow"};

struct Result {
  int code;
  QString out, err;
};

QString fx(const std::string& rel) { return QString::fromStdString(fixture(rel)); }

}  // namespace

class TestCliAttend : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

  QString tmp(const QString& name) const { return tmp_.filePath(name); }

  Result run_cli(const QStringList& args) const {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("STORYSCOPE_CONFIG_HOME", tmp("config"));
    env.insert("OMP_NUM_THREADS", "2");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STORYSCOPE_CLI), args);
    if (!p.waitForFinished(600000)) return {-1, {}, QStringLiteral("timed out")};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
  }

  static QStringList generate_args(const QString& out) {
    return {
        "attend", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", kPrompt, "--steps", "3", "--seed", "1",
        "--out",  out};
  }

  static void check_outputs(const fs::path& dir, int width, int height) {
    for (const char* f : {"image.png", "records.safetensors", "records.json", "grid.png"})
      QVERIFY2(fs::is_regular_file(dir / f), (dir / f).string().c_str());
    for (const auto& w : kWordFiles)
      for (const std::string suffix : {".png", "_overlay.png"}) {
        const fs::path p = dir / "heatmaps" / (w + suffix);
        QVERIFY2(fs::is_regular_file(p), p.string().c_str());
        const RgbImage img = read_png(p.string());
        QCOMPARE(img.width, width);
        QCOMPARE(img.height, height);
      }
    const auto records = SafetensorsFile::open((dir / "records.safetensors").string());
    QVERIFY(!records->entries().empty());
    // Nothing temporary left next to the output.
    for (const auto& e : fs::directory_iterator(dir.parent_path()))
      QVERIFY2(e.path().filename().string().find(".tmp-") == std::string::npos, e.path().string().c_str());
  }

  void write_mask() const {
    RgbImage mask;
    mask.width = mask.height = 32;
    mask.rgb.assign(32 * 32 * 3, 0);
    for (int y = 8; y < 24; ++y)
      for (int x = 8; x < 24; ++x)
        for (int c = 0; c < 3; ++c) mask.rgb[(y * 32 + x) * 3 + c] = 255;
    write_png(tmp("fox_mask.png").toStdString(), mask);
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    QVERIFY(tmp_.isValid());
    QVERIFY(QDir().mkpath(tmp("config")));
    write_mask();
  }

  void generateWritesEverything() {
    const Result r = run_cli(generate_args(tmp("gen/out")));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    check_outputs(tmp("gen/out").toStdString(), 32, 32);
    QVERIFY(!fs::exists(tmp("gen/out/alignment.json").toStdString()));
    const json index = json::parse(read_file(tmp("gen/out/records.json").toStdString()));
    QCOMPARE(int(index.at("records").size()), 3 * 6);  // 3 steps x 6 cross layers
  }

  void maskGivesAlignment() {
    QStringList args = generate_args(tmp("mask/out"));
    args << "--mask" << QStringLiteral("fox=") + tmp("fox_mask.png");
    const Result r = run_cli(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    check_outputs(tmp("mask/out").toStdString(), 32, 32);
    QVERIFY(fs::is_regular_file(tmp("mask/out/alignment.csv").toStdString()));
    const json rows = json::parse(read_file(tmp("mask/out/alignment.json").toStdString()));
    QVERIFY(rows.is_array());
    QCOMPARE(int(rows.size()), 3 * 6 + 2);  // every (layer, step), then p2p and daam
    bool p2p = false, daam = false;
    for (const auto& row : rows) {
      QCOMPARE(row.at("word").get<std::string>(), std::string("fox"));
      p2p = p2p || row.at("view") == "p2p";
      daam = daam || row.at("view") == "daam";
    }
    QVERIFY(p2p && daam);
  }

  void unknownMaskWord() {
    QStringList args = generate_args(tmp("wolf/out"));
    args << "--mask" << QStringLiteral("wolf=") + tmp("fox_mask.png");
    const Result r = run_cli(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("wolf"), qPrintable(r.err));
    QVERIFY(!fs::exists(tmp("wolf").toStdString() + "/out"));
  }

  void imagePath() {
    const QString image = tmp("gen/out/image.png");
    QVERIFY(fs::exists(image.toStdString()));
    const Result r = run_cli({"attend", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", kPrompt,
                              "--image", image, "--timestep", "400", "--seed", "3", "--out", tmp("img/out")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    check_outputs(tmp("img/out").toStdString(), 32, 32);
    const RgbImage in = read_png(image.toStdString()), out = read_png(tmp("img/out/image.png").toStdString());
    QVERIFY(in.rgb == out.rgb);
    const json index = json::parse(read_file(tmp("img/out/records.json").toStdString()));
    QCOMPARE(int(index.at("records").size()), 6);
  }

  void views_data() {
    QTest::addColumn<QString>("view");
    QTest::addColumn<int>("tiles");
    QTest::newRow("daam") << QString("daam") << 6;
    QTest::newRow("layer") << QString("layer:up_blocks.1.attentions.2.transformer_blocks.0.attn2") << 6;
    QTest::newRow("self-pca") << QString("self-pca") << 3;
  }

  void views() {
    QFETCH(QString, view);
    QFETCH(int, tiles);
    const QString out = tmp("views/") + QString::fromLatin1(QTest::currentDataTag());
    const Result r = run_cli({"attend", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", kPrompt,
                              "--image", tmp("gen/out/image.png"), "--timestep", "200,600", "--view", view,
                              "--view-steps", "1", "--colormap", "viridis", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    int n = 0;
    for (const auto& e : fs::directory_iterator((out + "/heatmaps").toStdString()))
      n += e.path().filename().string().find("_overlay") == std::string::npos;
    QCOMPARE(n, tiles);
    QVERIFY(fs::is_regular_file((out + "/grid.png").toStdString()));
  }

  // Tiny models have no 16x16 layer at 48x40: p2p falls back to the finest grid and says so.
  void p2pFallsBackToFinestGrid() {
    QStringList args = {"attend",   "--model", fx("e2e/tiny_sd15_pipeline"),
                        "--prompt", kPrompt,   "--steps",
                        "1",        "--seed",  "1",
                        "--width",  "48",      "--height",
                        "40",       "--out",   tmp("fallback/out")};
    const Result r = run_cli(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("finest grid"), qPrintable(r.err));
    const RgbImage img = read_png(tmp("fallback/out/heatmaps/02_fox_overlay.png").toStdString());
    QCOMPARE(img.width, 48);
    QCOMPARE(img.height, 40);
  }

  void ctrlCWritesNothing() {
    const QString out = tmp("cancel/out");
    QVERIFY(QDir().mkpath(tmp("cancel")));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("STORYSCOPE_CONFIG_HOME", tmp("config"));
    env.insert("OMP_NUM_THREADS", "2");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STORYSCOPE_CLI), {"attend", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt",
                                             kPrompt, "--steps", "900", "--seed", "5", "--out", out});
    QVERIFY(p.waitForStarted(30000));
    QString err;
    QElapsedTimer timer;
    timer.start();
    while (!err.contains("step ") && timer.elapsed() < 120000 && p.state() == QProcess::Running) {
      p.waitForReadyRead(1000);
      err += QString::fromUtf8(p.readAllStandardError());
    }
    QVERIFY2(err.contains("step "), qPrintable(err));
    QCOMPARE(p.state(), QProcess::Running);
    QVERIFY(::kill(static_cast<pid_t>(p.processId()), SIGINT) == 0);
    QVERIFY2(p.waitForFinished(30000), "attend did not stop within 30 s of SIGINT");
    err += QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    QVERIFY2(err.contains("cancelled"), qPrintable(err.right(300)));
    QVERIFY(QDir(tmp("cancel")).isEmpty());
  }

  void badView() {
    QStringList args = generate_args(tmp("bad/out"));
    args << "--view"
         << "nope";
    QCOMPARE(run_cli(args).code, 2);
  }

  void forwardCaptureCross() {
    const QString out = tmp("forward.safetensors");
    const Result r =
        run_cli({"forward", "--component", "unet", "--model", fx("tiny_unet"), "--inputs",
                 fx("tiny_unet.safetensors"), "--timestep", "500", "--capture", "cross", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto ours = SafetensorsFile::open(out.toStdString());
    const auto ref = SafetensorsFile::open(fixture("tiny_unet.safetensors"));
    int layers = 0;
    for (const auto& e : ref->entries()) {
      if (e.name.rfind("attn_probs/", 0) != 0) continue;
      QVERIFY2(ours->contains(e.name), e.name.c_str());
      const at::Tensor want = ref->tensor(e.name);
      const at::Tensor got = ours->tensor(e.name);
      QCOMPARE(got.size(1), want.size(1));
      QCOMPARE(got.size(2), want.size(2));
      QVERIFY(got.size(0) >= want.size(0));
      const double d = max_abs_diff(got.narrow(0, 0, want.size(0)), want);
      qInfo("  %-70s max abs %.3g (tolerance 1e-5)", e.name.c_str(), d);
      QVERIFY2(d <= 1e-5, e.name.c_str());
      ++layers;
    }
    QCOMPARE(layers, 6);
    const Result bad = run_cli({"forward", "--component", "unet", "--model", fx("tiny_unet"), "--inputs",
                                fx("tiny_unet.safetensors"), "--capture", "self", "--out", out});
    QCOMPARE(bad.code, 2);
  }
};

QTEST_APPLESS_MAIN(TestCliAttend)
#include "test_cli_attend.moc"
