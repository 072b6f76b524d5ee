// storyscope-cli story, run as a user would on the tiny SD 1.5 pipeline: every switch
// combination writes frames, strip, GIF and story.json; --attention adds records and heatmaps;
// --ablate writes the four-row grid; --dump-embeddings writes the documented layout whose
// `after` is SVR of `before` on the recorded spans; a broken story file names the field.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/common/atomic_file.h"
#include "core/imaging/png_metadata.h"
#include "core/story/svr.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;
using storyscope::testing::CliResult;
using storyscope::testing::fixture;
namespace fs = std::filesystem;

namespace {

json story_doc() {
  return {{"identity", "a red fox"},
          {"frames", {"in the snow", "by a river", "under a tree", "on a hill"}},
          {"steps", 2},
          {"seed", 3}};
}

QString fx(const std::string& rel) { return QString::fromStdString(fixture(rel)); }

}  // namespace

class TestCliStory : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

  QString tmp(const QString& name) const { return tmp_.filePath(name); }
  CliResult run_cli(const QStringList& args) const {
    return storyscope::testing::run_cli(args, tmp("config"));
  }

  QString write_story(const QString& name, const json& doc) const {
    write_file_atomically(tmp(name).toStdString(), doc.dump(2));
    return tmp(name);
  }

  static void expect_ok(const CliResult& r) {
    if (r.code != 0) qWarning("stderr: %s", qPrintable(r.err));
    QCOMPARE(r.code, 0);
  }

 private slots:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void everySwitchCombination_data() {
    QTest::addColumn<QString>("svr");
    QTest::addColumn<bool>("ipca");
    QTest::addColumn<QString>("window");
    for (const char* svr : {"svr", "svr-eot", "npr", "off"})
      for (const bool ipca : {true, false})
        for (const char* window : {"circular", "trailing"})
          QTest::newRow((std::string(svr) + (ipca ? "+ipca " : " ") + window).c_str())
              << QString(svr) << ipca << QString(window);
  }

  void everySwitchCombination() {
    QFETCH(QString, svr);
    QFETCH(bool, ipca);
    QFETCH(QString, window);
    json doc = story_doc();
    doc["svr"] = {{"mode", svr.toStdString()}};
    doc["ipca"] = {{"enabled", ipca}, {"dropout", ipca ? 0.1 : 0.0}};
    doc["window"] = {{"mode", window.toStdString()}, {"size", 2}};
    const QString name = QString("combo-%1-%2-%3").arg(svr).arg(ipca).arg(window);
    const QString story = write_story(name + ".json", doc);
    const CliResult r =
        run_cli({"story", story, "--model", fx("e2e/tiny_sd15_pipeline"), "--out", tmp(name)});
    expect_ok(r);
    const fs::path out = tmp(name).toStdString();
    for (int j = 0; j < 4; ++j) {
      const std::string frame = (out / ("frame_0" + std::to_string(j) + ".png")).string();
      QVERIFY2(fs::exists(frame), frame.c_str());
      const PngGenerationInfo info = read_generation_png(frame);
      QVERIFY(info.parameters.has_value());
      QCOMPARE(info.settings.at("frame").get<int>(), j);
      QCOMPARE(info.settings.at("window").size(), std::size_t(2));
      QCOMPARE(QString::fromStdString(info.settings.at("story").at("svr").at("mode").get<std::string>()),
               svr);
    }
    QVERIFY(fs::exists(out / "strip.png"));
    QVERIFY(fs::exists(out / "story.gif"));
    const json saved = json::parse(read_file((out / "story.json").string()));
    QCOMPARE(saved.at("ipca").at("enabled").get<bool>(), ipca);
    QCOMPARE(QString::fromStdString(saved.at("window").at("mode").get<std::string>()), window);
    const RgbImage strip = read_png((out / "strip.png").string());
    const RgbImage frame0 = read_png((out / "frame_00.png").string());
    QCOMPARE(strip.height, frame0.height);
    QVERIFY(strip.width >= 4 * frame0.width);
  }

  void attentionWritesRecordsAndHeatmaps() {
    const QString story = write_story("attn.json", story_doc());
    const CliResult r = run_cli({"story", story, "--model", fx("e2e/tiny_sd15_pipeline"), "--out",
                                 tmp("attn"), "--attention", "--frames", "0,2"});
    expect_ok(r);
    const fs::path out = tmp("attn").toStdString();
    for (const char* f : {"frame_00", "frame_02"}) {
      QVERIFY(fs::exists(out / f / "records.safetensors"));
      QVERIFY(fs::exists(out / f / "records.json"));
      QVERIFY(fs::exists(out / f / "heatmaps.png"));
    }
    QVERIFY(!fs::exists(out / "frame_01.png"));
  }

  void ablateWritesTheGrid() {
    json doc = story_doc();
    doc["frames"] = {"in the snow", "by a river"};
    const QString story = write_story("ablate.json", doc);
    const CliResult r = run_cli(
        {"story", story, "--model", fx("e2e/tiny_sd15_pipeline"), "--out", tmp("ablate"), "--ablate"});
    expect_ok(r);
    const fs::path out = tmp("ablate").toStdString();
    for (const char* v : {"off", "npr", "svr", "svr+ipca"}) QVERIFY(fs::exists(out / v / "frame_01.png"));
    const RgbImage grid = read_png((out / "ablation.png").string());
    const RgbImage frame = read_png((out / "off" / "frame_00.png").string());
    QVERIFY(grid.height >= 4 * frame.height);
    QVERIFY(grid.width >= 2 * frame.width);
    // Rows differ: the techniques do something.
    QVERIFY(read_png((out / "off" / "frame_00.png").string()).rgb !=
            read_png((out / "svr+ipca" / "frame_00.png").string()).rgb);
  }

  void dumpEmbeddingsLayout() {
    json doc = story_doc();
    doc["window"] = {{"mode", "circular"}, {"size", 3}};
    const QString story = write_story("dump.json", doc);
    const QString file = tmp("dump.safetensors");
    const CliResult r =
        run_cli({"story", story, "--model", fx("e2e/tiny_sd15_pipeline"), "--dump-embeddings", file});
    expect_ok(r);
    auto f = SafetensorsFile::open(file.toStdString());
    const json spans = json::parse(f->metadata().at("spans"));
    for (int j = 0; j < 4; ++j) {
      const std::string key = "frame" + std::to_string(j) + "/text_encoder";
      const at::Tensor ids = f->tensor(key + "/ids");
      const at::Tensor before = f->tensor(key + "/before");
      const at::Tensor after = f->tensor(key + "/after");
      QCOMPARE(ids.sizes().vec(), (std::vector<std::int64_t>{77}));
      QCOMPARE(before.size(0), 77);
      QCOMPARE(after.sizes(), before.sizes());
      QCOMPARE(ids.scalar_type(), at::kLong);
      QCOMPARE(before.scalar_type(), at::kFloat);
      const json& s = spans.at(key);
      QCOMPARE(s.at("suppress").size(), std::size_t(2));  // window 3: two other frames
      // Recompute SVR from `before` and the recorded spans: it must give `after`.
      ConsolidatedPrompt p;
      p.identity = {s.at("P0")[0].get<std::int64_t>(), s.at("P0")[1].get<std::int64_t>()};
      p.express = {s.at("express")[0].get<std::int64_t>(), s.at("express")[1].get<std::int64_t>()};
      for (const auto& sp : s.at("suppress"))
        p.suppress.push_back({sp[0].get<std::int64_t>(), sp[1].get<std::int64_t>()});
      p.eot = s.at("eot").get<std::vector<std::int64_t>>();
      const at::Tensor again = apply_svr(before.clone(), p, SvrMode::Svr, {-0.01, 1.0}, {0.01, 0.05});
      QVERIFY(at::allclose(again, after, 1e-6, 1e-6));
      // P0 and SOT rows untouched, bit for bit.
      QVERIFY(at::equal(before.slice(0, 0, p.identity.last + 1), after.slice(0, 0, p.identity.last + 1)));
      // The express frame is frame j (circular window starts at j), first after P0.
      QCOMPARE(p.express.first, p.identity.last + 1);
    }
  }

  void brokenStoryNamesTheField() {
    json doc = story_doc();
    doc["window"] = {{"mode", "circular"}, {"size", 0}};
    const QString story = write_story("bad.json", doc);
    const CliResult r =
        run_cli({"story", story, "--model", fx("e2e/tiny_sd15_pipeline"), "--out", tmp("bad")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("window.size"), qPrintable(r.err));
    QVERIFY2(r.err.contains("bad.json"), qPrintable(r.err));
    QVERIFY(!fs::exists(tmp("bad").toStdString()));

    write_file_atomically(tmp("broken.json").toStdString(), "{\"identity\": \"a fox\", \"frames\": [");
    const CliResult b =
        run_cli({"story", tmp("broken.json"), "--model", fx("e2e/tiny_sd15_pipeline"), "--out", tmp("b")});
    QCOMPARE(b.code, 2);
    QVERIFY2(b.err.contains("broken.json"), qPrintable(b.err));
  }
};

QTEST_APPLESS_MAIN(TestCliStory)
#include "test_cli_story.moc"
