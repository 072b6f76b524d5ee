// storyscope-cli shapes, run as a user would: render writes images, per-word masks and
// captions.json that agree with the library; vocab writes a loadable tokenizer; check reads the
// rendered images back (and drift over identical frames is 0), also against a story file's
// frames; bad input exits with code 2.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"
#include "core/demo/shapes_vocab.h"
#include "core/demo/shapes_world.h"
#include "core/imaging/image_tensor.h"
#include "core/imaging/png_metadata.h"
#include "core/text/clip_tokenizer.h"

using namespace storyscope;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  QString out, err;
};

Result run_cli(const QStringList& args) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("OMP_NUM_THREADS", "1");
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(STORYSCOPE_CLI), args);
  if (!p.waitForFinished(300000)) return {-1, {}, QStringLiteral("timed out")};
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestCliShapes : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void render_writes_images_masks_and_captions() {
    const QString out = dir_.filePath("render");
    const std::string caption = "a big red striped circle on the left in the snow next to a yellow star";
    const Result r = run_cli({"shapes", "render", "--caption", QString::fromStdString(caption), "--seed", "5",
                              "--count", "2", "--size", "32", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const json listing = json::parse(read_file(out.toStdString() + "/captions.json"));
    QCOMPARE(listing.size(), std::size_t{2});
    for (int k = 0; k < 2; ++k) {
      const json& e = listing[k];
      QCOMPARE(e["caption"].get<std::string>(), caption);
      QCOMPARE(e["seed"].get<int>(), 5 + k);
      // The PNG is the library's render of the same scene, to 8-bit rounding.
      const shapes::Scene scene = shapes::scene_from_caption(caption, 5 + k);
      const shapes::Render truth = shapes::render(scene, 32);
      const at::Tensor png = tensor_from_image(
          read_png(out.toStdString() + "/" + e["file"].get<std::string>()), ValueRange::ZeroToOne)[0];
      QVERIFY((png - truth.image).abs().max().item<float>() <= 0.5f / 255 + 1e-6f);
      // One mask per non-function word, each the library's mask.
      const auto masks = shapes::word_masks(caption, truth);
      QCOMPARE(e["masks"].size(), masks.size());
      for (std::size_t i = 0; i < masks.size(); ++i) {
        QCOMPARE(e["masks"][i]["word"].get<std::string>(), masks[i].word);
        QCOMPARE(e["masks"][i]["index"].get<int>(), masks[i].index);
        const at::Tensor m =
            tensor_from_image(read_png(out.toStdString() + "/" + e["masks"][i]["file"].get<std::string>()),
                              ValueRange::ZeroToOne)[0][0];
        QVERIFY((m - masks[i].mask).abs().max().item<float>() <= 0.5f / 255 + 1e-6f);
      }
      QCOMPARE(e["objects"].size(), std::size_t{2});
      QCOMPARE(e["objects"][0]["colour"].get<std::string>(), std::string("red"));
      QCOMPARE(e["objects"][1]["shape"].get<std::string>(), std::string("star"));
    }
  }

  void render_random_captions_from_a_seed() {
    const QString out = dir_.filePath("random");
    const Result r =
        run_cli({"shapes", "render", "--seed", "11", "--count", "3", "--size", "32", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const json listing = json::parse(read_file(out.toStdString() + "/captions.json"));
    for (int k = 0; k < 3; ++k)
      QCOMPARE(listing[k]["caption"].get<std::string>(),
               shapes::caption_text(shapes::random_scene(11 + k).caption));
  }

  void vocab_writes_a_loadable_tokenizer() {
    const QString out = dir_.filePath("vocab");
    const Result r = run_cli({"shapes", "vocab", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const ClipTokenizer tok = ClipTokenizer::from_folder(out.toStdString());
    QCOMPARE(static_cast<std::int64_t>(tok.vocab_size()), shapes_vocab_size());
    QCOMPARE(tok.encode("checkered").ids.size(), std::size_t{3});
  }

  void check_reads_renders_back() {
    const QString out = dir_.filePath("check");
    const QString caption = "a small green dotted triangle on the right in the desert";
    QCOMPARE(run_cli({"shapes", "render", "--caption", caption, "--out", out, "--size", "64"}).code, 0);
    const QString image = out + "/00000.png";
    const Result r = run_cli({"shapes", "check", image, image, "--caption", caption, "--json", "--story"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const json doc = json::parse(r.out.toStdString());
    QCOMPARE(doc["images"].size(), std::size_t{2});
    const json& first = doc["images"][0];
    QVERIFY(first["all_ok"].get<bool>());
    QCOMPARE(first["main"]["shape"].get<std::string>(), std::string("triangle"));
    QCOMPARE(first["main"]["pattern"].get<std::string>(), std::string("dotted"));
    QCOMPARE(first["scene"].get<std::string>(), std::string("desert"));
    QCOMPARE(doc["drift"]["frames"].get<int>(), 2);
    QCOMPARE(doc["drift"]["total"].get<double>(), 0.0);
    // The wrong caption is reported as a mismatch, not an error.
    const Result wrong = run_cli({"shapes", "check", image, "--caption", "a blue square", "--json"});
    QCOMPARE(wrong.code, 0);
    const json w = json::parse(wrong.out.toStdString());
    QVERIFY(!w["images"][0]["all_ok"].get<bool>());
    QVERIFY(!w["images"][0]["verdicts"]["colour"].get<bool>());
    QVERIFY(!w["images"][0]["verdicts"]["shape"].get<bool>());
  }

  void check_reads_a_story_file() {
    // Frame k of a story is "identity frames[k]": the checker reads each frame against that.
    const QString out = dir_.filePath("story");
    const QString identity = "a big blue striped heart";
    const QStringList frames = {"in the snow", "at night"};
    QStringList images;
    for (int k = 0; k < frames.size(); ++k) {
      const QString dir = out + QString::number(k);
      QCOMPARE(
          run_cli({"shapes", "render", "--caption", identity + " " + frames[k], "--out", dir, "--size", "64"})
              .code,
          0);
      images << dir + "/00000.png";
    }
    const std::string story = dir_.filePath("heart.story.json").toStdString();
    write_file_atomically(story, json{{"identity", identity.toStdString()},
                                      {"frames", {frames[0].toStdString(), frames[1].toStdString()}}}
                                     .dump());
    const Result r = run_cli(
        QStringList{"shapes", "check", "--json", "--story-file", QString::fromStdString(story)} + images);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const json doc = json::parse(r.out.toStdString());
    QCOMPARE(doc["images"][0]["scene"].get<std::string>(), std::string("snow"));
    QCOMPARE(doc["images"][1]["scene"].get<std::string>(), std::string("night"));
    QVERIFY(doc["images"][0]["all_ok"].get<bool>());
    QVERIFY(doc["images"][1]["all_ok"].get<bool>());
    QCOMPARE(doc["drift"]["frames"].get<int>(), 2);  // --story-file implies the drift
    // One image for a two-frame story names the story file.
    const Result few = run_cli({"shapes", "check", images[0], "--story-file", QString::fromStdString(story)});
    QCOMPARE(few.code, 2);
    QVERIFY2(few.err.contains("heart.story.json"), qPrintable(few.err));
  }

  void bad_input_exits_2() {
    QCOMPARE(run_cli({"shapes", "render", "--caption", "a red fox", "--out", dir_.filePath("bad")}).code, 2);
    QVERIFY(!fs::exists(dir_.filePath("bad").toStdString()));
    QCOMPARE(run_cli({"shapes", "render", "--out", dir_.filePath("bad")}).code, 2);
    QCOMPARE(run_cli({"shapes", "check", "--caption", "a circle"}).code, 2);
    QCOMPARE(run_cli({"shapes", "check", dir_.filePath("missing.png"), "--caption", "a circle"}).code, 2);
    QCOMPARE(run_cli({"shapes", "frobnicate"}).code, 2);
    QCOMPARE(run_cli({"shapes"}).code, 2);
  }

 private:
  QTemporaryDir dir_;
};

QTEST_APPLESS_MAIN(TestCliShapes)
#include "test_cli_shapes.moc"
