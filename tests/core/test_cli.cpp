// storyscope-cli end to end: the subcommands researchers use to check parity, run as a user
// would, with their outputs compared to the reference fixtures and their errors to the
// documented exit codes.
#include <ATen/ATen.h>

#include <QtTest/QtTest>

#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;

namespace {
struct Result {
  int code;
  QString out, err;
};

Result run_cli(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(STORYSCOPE_CLI), args);
  if (!p.waitForFinished(600000)) return {-1, {}, QStringLiteral("timed out")};
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

QString fx(const char* rel) { return QString::fromStdString(testing::fixture(rel)); }
QString tmp(const char* name) { return QDir::tempPath() + "/storyscope_cli_" + name; }

void expect_close(const QString& out_file, const char* out_key, const char* ref_file, const char* ref_key,
                  double tol) {
  const auto ours = load_safetensors(out_file.toStdString()).at(out_key);
  const auto ref = load_safetensors(testing::fixture(ref_file)).at(ref_key);
  const double diff = testing::max_abs_diff(ours, ref);
  qInfo("%s vs %s/%s: max abs diff %.3g (tol %.3g)", out_key, ref_file, ref_key, diff, tol);
  QVERIFY2(diff <= tol, out_key);
}
}  // namespace

class TestCli : public QObject {
  Q_OBJECT
 private slots:
  void forwardUnetSyntheticAndFolder() {
    for (const QStringList& source :
         {QStringList{"--config", fx("tiny_unet/config.json"), "--synthetic-weights"},
          QStringList{"--model", fx("tiny_unet")}}) {
      auto r = run_cli(QStringList{"forward", "--component", "unet"} + source +
                       QStringList{"--inputs", fx("tiny_unet.safetensors"), "--timestep", "500", "--out",
                                   tmp("unet.safetensors")});
      QVERIFY2(r.code == 0, qPrintable(r.err));
      expect_close(tmp("unet.safetensors"), "noise_pred", "tiny_unet.safetensors", "noise_pred_t500",
                   4.63e-5);
    }
  }
  void forwardVaeDecodeAndEncode() {
    auto r = run_cli({"forward", "--component", "vae-decode", "--model", fx("tiny_vae"), "--inputs",
                      fx("tiny_vae.safetensors"), "--out", tmp("dec.safetensors")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    expect_close(tmp("dec.safetensors"), "decoded_image", "tiny_vae.safetensors", "decoded_image", 5.26e-5);
    r = run_cli({"forward", "--component", "vae-encode", "--model", fx("tiny_vae"), "--inputs",
                 fx("tiny_vae.safetensors"), "--out", tmp("enc.safetensors")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    expect_close(tmp("enc.safetensors"), "posterior_mean", "tiny_vae.safetensors", "posterior_mean", 3.31e-5);
  }
  void forwardTextEncoderFromPipelineFolder() {
    // A diffusers pipeline folder: the component is found by its subfolder.
    auto ids = load_safetensors(testing::fixture("tiny_clip_text.safetensors")).at("input_ids");
    write_safetensors(tmp("ids.safetensors").toStdString(), {{"input_ids", ids}});
    auto r =
        run_cli({"forward", "--component", "text-encoder", "--model", fx("tiny_clip_text"), "--subfolder",
                 "text_encoder", "--inputs", tmp("ids.safetensors"), "--out", tmp("text.safetensors")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    expect_close(tmp("text.safetensors"), "last_hidden_state", "tiny_clip_text.safetensors",
                 "last_hidden_state", 2.61e-5);
  }
  void tokenizePrintsOneListPerText() {
    auto r = run_cli(
        {"tokenize", "--tokenizer", fx("clip_tokenizer"), "--", "a red fox playing in the snow", "--x"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(QString(lines[0]).remove(QLatin1Char(' ')),
             QStringLiteral("[49406,320,736,3240,1629,530,518,2583,49407]"));
  }
  void inspectDetectsFamilies() {
    auto r = run_cli({"inspect", fx("e2e/tiny_sdxl_pipeline"), "--compact"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("\"family\":\"sdxl\""));
    r = run_cli({"inspect", fx("e2e/tiny_sd15_single_file.safetensors"), "--compact"});
    QVERIFY(r.out.contains("\"single_file_checkpoint_family\":\"sd1\""));
  }
  void badInputExitsTwoAndNamesTheCause() {
    auto r = run_cli({"inspect", fx("manifest.json")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("manifest.json") && r.err.contains("header"), qPrintable(r.err));
    r = run_cli({"forward", "--component", "unet", "--bogus"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--bogus"));
    r = run_cli(
        {"forward", "--component", "warp", "--inputs", fx("tiny_vae.safetensors"), "--out", tmp("x")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--component"));
    r = run_cli({"no-such-command"});
    QCOMPARE(r.code, 2);
  }
  void modelErrorExitsThree() {
    // The VAE weights do not fit the UNet config: every mismatch is reported, exit code 3.
    QTemporaryDir dir;
    QFile::copy(fx("tiny_unet/config.json"), dir.filePath("config.json"));
    QFile::copy(fx("tiny_vae/diffusion_pytorch_model.safetensors"),
                dir.filePath("diffusion_pytorch_model.safetensors"));
    auto r = run_cli({"forward", "--component", "unet", "--model", dir.path(), "--inputs",
                      fx("tiny_unet.safetensors"), "--timestep", "1", "--out", tmp("y")});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains("missing keys") && r.err.contains("unexpected keys"), qPrintable(r.err));
  }
};

QTEST_APPLESS_MAIN(TestCli)
#include "test_cli.moc"
