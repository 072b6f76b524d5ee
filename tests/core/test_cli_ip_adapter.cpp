// --ip-adapter / --image-encoder / --ip-image / --ip-scale on generate, attend and story, run as
// a user would with the tiny adapters of fixtures/ip_adapter on the tiny SD 1.5 pipeline: the
// image prompt changes the pixels (scale 0 leaves them as without it), attend's records hold
// the image-token attention beside the words', and misuse is an error naming the flag.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/attention/ip_adapter_attention.h"
#include "core/attention/records_file.h"
#include "core/common/atomic_file.h"
#include "core/imaging/png_metadata.h"
#include "fixtures.h"
#include "tiny_clip_model.h"

using namespace storyscope;
using storyscope::testing::CliResult;
using storyscope::testing::fixture;
namespace fs = std::filesystem;

namespace {

QString fx(const std::string& rel) { return QString::fromStdString(fixture(rel)); }

// The synthetic 40x30 image of fixtures/ip_adapter/README.md.
RgbImage synthetic_image() {
  RgbImage img;
  img.width = 40;
  img.height = 30;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      img.rgb.push_back(static_cast<std::uint8_t>((255 * x) / (img.width - 1)));
      img.rgb.push_back(static_cast<std::uint8_t>((255 * y) / (img.height - 1)));
      img.rgb.push_back(static_cast<std::uint8_t>((37 * x + 91 * y) % 256));
    }
  return img;
}

int differing_bytes(const RgbImage& a, const RgbImage& b) {
  int n = 0;
  for (std::size_t i = 0; i < a.rgb.size() && i < b.rgb.size(); ++i) n += a.rgb[i] != b.rgb[i];
  return n;
}

}  // namespace

class TestCliIpAdapter : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString image_;

  QString tmp(const QString& name) const { return tmp_.filePath(name); }
  CliResult run_cli(const QStringList& args) const {
    return storyscope::testing::run_cli(args, tmp("config"));
  }
  static void expect_ok(const CliResult& r) {
    if (r.code != 0) qWarning("stderr: %s", qPrintable(r.err));
    QCOMPARE(r.code, 0);
  }
  QStringList adapter_args(const char* scale, bool plus = false) const {
    return {
        "--ip-adapter",
        fx(plus ? "ip_adapter/ip_adapter_plus_tiny.safetensors" : "ip_adapter/ip_adapter_tiny.safetensors"),
        "--image-encoder",
        fx("ip_adapter/image_encoder"),
        "--feature-extractor",
        fx("ip_adapter/feature_extractor"),
        "--ip-image",
        image_,
        "--ip-scale",
        scale};
  }
  RgbImage generate(const QString& name, const QStringList& extra) const {
    QStringList args{"generate", "--model",   fx("e2e/tiny_sd15_pipeline"),
                     "--prompt", "a red fox", "--steps",
                     "2",        "--seed",    "7",
                     "--width",  "32",        "--height",
                     "32",       "--out",     tmp(name)};
    const CliResult r = run_cli(args + extra);
    expect_ok(r);
    return read_png(tmp(name).toStdString());
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    image_ = tmp("reference.png");
    write_png(image_.toStdString(), synthetic_image());
  }

  void generate_takes_the_image_prompt() {
    const RgbImage plain = generate("plain.png", {});
    const RgbImage with_image = generate("ip.png", adapter_args("0.6"));
    const RgbImage with_plus = generate("ip_plus.png", adapter_args("0.6", true));
    const RgbImage scale0 = generate("ip0.png", adapter_args("0"));
    QVERIFY(differing_bytes(plain, with_image) > 0);
    QVERIFY(differing_bytes(plain, with_plus) > 0);
    // Scale 0 adds nothing: the same bytes as without the adapter.
    QCOMPARE(differing_bytes(plain, scale0), 0);
  }

  void attend_records_image_token_attention() {
    const QString out = tmp("attend");
    QStringList args{"attend",   "--model",   fx("e2e/tiny_sd15_pipeline"),
                     "--prompt", "a red fox", "--steps",
                     "2",        "--seed",    "1",
                     "--width",  "32",        "--height",
                     "32",       "--out",     out};
    expect_ok(run_cli(args + adapter_args("0.6")));
    const AttentionRecordSet set = load_attention_records(out.toStdString());
    QVERIFY(!set.records.empty());
    QCOMPARE(set.added_records.size(), set.records.size());  // one per word record: same layers, steps
    for (const auto& r : set.added_records) {
      QCOMPARE(r.keys, std::string(kIpImageKeys));
      QCOMPARE(r.weight, 0.6);
      QCOMPARE(r.probs.size(0), std::int64_t(4));  // the basic adapter's 4 image tokens
      // Each pixel's attention over the image tokens is a softmax: it sums to 1.
      const double worst = (r.probs.to(at::kFloat).sum(0) - 1).abs().max().item<double>();
      QVERIFY2(worst < 5e-3, r.layer.c_str());
    }
    QVERIFY(fs::exists(fs::path(out.toStdString()) / "image.png"));
    // Each image token gets a heatmap beside the words'.
    for (int k = 0; k < 4; ++k)
      QVERIFY(
          fs::exists(fs::path(out.toStdString()) / "heatmaps" / ("ip_image_" + std::to_string(k) + ".png")));
    QVERIFY(fs::exists(fs::path(out.toStdString()) / "heatmaps" / "02_fox.png"));
  }

  void story_takes_a_reference_image() {
    const nlohmann::json doc = {{"identity", "a red fox"},
                                {"frames", {"in the snow", "by a river"}},
                                {"steps", 2},
                                {"seed", 3},
                                {"ipca", {{"enabled", true}}}};
    write_file_atomically(tmp("story.json").toStdString(), doc.dump(2));
    const QStringList base{"story", tmp("story.json"), "--model", fx("e2e/tiny_sd15_pipeline"), "--out"};
    expect_ok(run_cli(base + QStringList{tmp("story_plain")}));
    storyscope::testing::write_tiny_clip_model(tmp("clip").toStdString());
    const CliResult scored = run_cli(base + QStringList{tmp("story_ip")} + adapter_args("0.6") +
                                     QStringList{"--clip-model", tmp("clip")});
    expect_ok(scored);
    for (const char* frame : {"frame_00.png", "frame_01.png"}) {
      const RgbImage plain = read_png((fs::path(tmp("story_plain").toStdString()) / frame).string());
      const RgbImage ip = read_png((fs::path(tmp("story_ip").toStdString()) / frame).string());
      QVERIFY2(differing_bytes(plain, ip) > 0, frame);
    }
    // CLIP scores of the frames: one CLIP-T per frame against identity + frame prompt, in the
    // stated scaling, and their CLIP-I.
    const nlohmann::json scores = nlohmann::json::parse(
        read_file((fs::path(tmp("story_ip").toStdString()) / "clip_scores.json").string()));
    QCOMPARE(scores.at("frames").size(), std::size_t(2));
    QCOMPARE(scores.at("frames")[1].at("prompt").get<std::string>(), std::string("a red fox by a river"));
    double total = 0;
    for (const auto& f : scores.at("frames")) {
      const double cosine = f.at("cosine").get<double>();
      QVERIFY(cosine >= -1 && cosine <= 1);
      QVERIFY(std::abs(f.at("clip_t").get<double>() - 2.5 * std::max(cosine, 0.0)) < 1e-9);
      total += f.at("clip_t").get<double>();
    }
    QVERIFY(std::abs(scores.at("clip_t").get<double>() - total / 2) < 1e-9);
    const double clip_i = scores.at("clip_i").get<double>();
    QVERIFY(clip_i > -1 && clip_i <= 1 + 1e-9);
    QVERIFY2(scored.err.contains("CLIP-I"), qPrintable(scored.err));
  }

  void misuse_names_the_flag() {
    const CliResult orphan = run_cli({"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt",
                                      "a fox", "--ip-image", image_, "--out", tmp("x.png")});
    QVERIFY(orphan.code != 0);
    QVERIFY2(orphan.err.contains("--ip-image") && orphan.err.contains("--ip-adapter"),
             qPrintable(orphan.err));

    const CliResult no_encoder =
        run_cli({"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", "a fox", "--ip-adapter",
                 fx("ip_adapter/ip_adapter_tiny.safetensors"), "--ip-image", image_, "--out", tmp("y.png")});
    QVERIFY(no_encoder.code != 0);
    QVERIFY2(no_encoder.err.contains("--image-encoder"), qPrintable(no_encoder.err));

    // The UNet's own weights are not an adapter: the error names the file.
    const CliResult wrong =
        run_cli({"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", "a fox", "--ip-adapter",
                 fx("ip_adapter/image_encoder/model.safetensors"), "--image-encoder",
                 fx("ip_adapter/image_encoder"), "--ip-image", image_, "--out", tmp("z.png")});
    QVERIFY(wrong.code != 0);
    QVERIFY2(wrong.err.contains("not an IP-Adapter"), qPrintable(wrong.err));
    QVERIFY(!fs::exists(tmp("x.png").toStdString()) && !fs::exists(tmp("z.png").toStdString()));
  }
};

QTEST_APPLESS_MAIN(TestCliIpAdapter)
#include "test_cli_ip_adapter.moc"
