// storyscope-cli shapes eval, run as a user would: the JSON report and the markdown tables are
// written and agree with the options; without --model the demo model runs; bad flags name the
// flag and write nothing.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"
#include "tests/core/cli_runner.h"
#include "tests/core/fixtures.h"

using storyscope::testing::CliResult;
using storyscope::testing::fixture;

class TestCliShapesEval : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  QString tmp(const QString& name) const { return tmp_.filePath(name); }
  CliResult run(const QStringList& args) const {
    return storyscope::testing::run_cli(QStringList{"shapes", "eval"} + args, tmp("config"));
  }
  static QString model() { return QString::fromStdString(fixture("e2e/tiny_sd15_pipeline")); }

 private slots:
  void writesReportAndTables() {
    const CliResult r = run({"--model", model(), "--captions", "2", "--stories", "1", "--min-frames", "4",
                             "--max-frames", "4", "--steps", "2", "--seed", "3", "--out", tmp("report.json"),
                             "--markdown", tmp("report.md")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto doc = nlohmann::json::parse(storyscope::read_file(tmp("report.json").toStdString()));
    QCOMPARE(doc["fidelity"]["images"].get<int>(), 2);
    QCOMPARE(doc["options"]["steps"].get<int>(), 2);
    QCOMPARE(doc["options"]["seed"].get<int>(), 3);
    QCOMPARE(doc["stories"]["stories"].size(), std::size_t(1));
    QCOMPARE(doc["stories"]["stories"][0]["frames"].size(), std::size_t(4));
    QCOMPARE(doc["time"]["images"].get<int>(), 4);  // the vanilla frames
    QCOMPARE(doc["cancelled"].get<bool>(), false);
    const std::string md = storyscope::read_file(tmp("report.md").toStdString());
    QVERIFY(md.find("| shape |") != std::string::npos);
    QVERIFY(r.out.contains("| svr+ipca |"));  // the tables also go to stdout
  }

  void runsTheDemoModelWithoutModel() {
    // No --model: the shipped demo model, for eval as for every command that runs a model.
    const CliResult r = run({"--captions", "1", "--stories", "0", "--steps", "2", "--out", tmp("demo.json")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto doc = nlohmann::json::parse(storyscope::read_file(tmp("demo.json").toStdString()));
    QVERIFY(doc["model"].get<std::string>().find("shapes-demo") != std::string::npos);
    QCOMPARE(doc["image_size"].get<int>(), 32);
    const CliResult g = storyscope::testing::run_cli(
        {"generate", "--prompt", "a red circle in the snow", "--steps", "2", "--out", tmp("red.png")},
        tmp("config"));
    QVERIFY2(g.code == 0, qPrintable(g.err));
    QVERIFY(std::filesystem::exists(tmp("red.png").toStdString()));
  }

  void badFlagsNameTheFlag() {
    const CliResult r = run({"--model", model(), "--captions", "-1", "--out", tmp("bad.json")});
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains("--captions"), qPrintable(r.err));
    QVERIFY(!std::filesystem::exists(tmp("bad.json").toStdString()));
    const CliResult m = run({"--captions", "2"});
    QVERIFY(m.code != 0);
    QVERIFY2(m.err.contains("--out"), qPrintable(m.err));
  }
};

QTEST_APPLESS_MAIN(TestCliShapesEval)
#include "test_cli_shapes_eval.moc"
