// The bad-input policy of issue #8 (item 3) in one place, through the real storyscope-cli on the
// tiny SD 1.5 pipeline: for every class of bad input the exit code is the README's (2 bad input,
// 3 model error), the message names the file (or flag) and the field or location, and nothing is
// written. Classes: missing files (model folder, model component, story file, mask file), wrong
// shapes, wrong dtypes and NaN weights (copies of the model with one tensor changed), settings
// out of range (steps 0, size not a multiple of 8, guidance < 0, story window 0), unknown
// sampler, unreadable masks; and a mask of another size than the image, which is resized with a
// note and the run succeeds.
//
// Also covered elsewhere, in more depth: test_cli_generate badInputNamesTheFlag (the same flags),
// test_cli_story brokenStoryNamesTheField (window 0, broken JSON), test_story_spec (every story
// field), test_imaging (every kind of unreadable PNG, fuzzed), test_txt2img requestErrors and
// folderErrors (the engine's messages), test_memory_refusal (runs too large for the memory).
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/common/atomic_file.h"
#include "core/imaging/png_metadata.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;
using storyscope::testing::CliResult;
using storyscope::testing::fixture;
namespace fs = std::filesystem;

namespace {

const char* const kPrompt = "a red fox in the snow";

QString fx(const std::string& rel) { return QString::fromStdString(fixture(rel)); }

json story_doc() {
  return {{"identity", "a red fox"}, {"frames", {"in the snow", "by a river"}}, {"steps", 2}, {"seed", 3}};
}

json story_with(const std::string& key, const json& value) {
  json doc = story_doc();
  doc[key] = value;
  return doc;
}

// A copy of the tiny pipeline (links to the unchanged parts) whose UNet weights are `weights`.
void write_model_copy(const fs::path& dir, const std::map<std::string, at::Tensor>& weights) {
  const fs::path src = fixture("e2e/tiny_sd15_pipeline");
  fs::create_directories(dir / "unet");
  for (const char* part : {"model_index.json", "scheduler", "text_encoder", "tokenizer", "vae"})
    fs::create_symlink(src / part, dir / part);
  fs::create_symlink(src / "unet" / "config.json", dir / "unet" / "config.json");
  std::vector<std::pair<std::string, at::Tensor>> list(weights.begin(), weights.end());
  write_safetensors((dir / "unet" / "diffusion_pytorch_model.safetensors").string(), list);
}

}  // namespace

class TestBadInputPolicy : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

  QString tmp(const QString& name) const { return tmp_.filePath(name); }
  std::string tmps(const std::string& name) const { return tmp(QString::fromStdString(name)).toStdString(); }
  CliResult run_cli(const QStringList& args) const {
    return storyscope::testing::run_cli(args, tmp("config"));
  }

  QString write_story(const QString& name, const json& doc) const {
    write_file_atomically(tmp(name).toStdString(), doc.dump(2));
    return tmp(name);
  }

  void write_mask(const QString& name, int size) const {
    RgbImage mask;
    mask.width = mask.height = size;
    mask.rgb.assign(static_cast<std::size_t>(size * size * 3), 0);
    for (int y = size / 4; y < 3 * size / 4; ++y)
      for (int x = size / 4; x < 3 * size / 4; ++x)
        for (int c = 0; c < 3; ++c) mask.rgb[static_cast<std::size_t>((y * size + x) * 3 + c)] = 255;
    write_png(tmp(name).toStdString(), mask);
  }

  // Each case writes (if anything) under out/<case>/: that folder must not exist afterwards.
  QString out_dir(const QString& name) const { return tmp("out/" + name); }

  static QStringList generate(const QString& model, const QString& out, const QStringList& extra = {}) {
    return QStringList{"generate", "--model", model, "--prompt", kPrompt,           "--steps",
                       "2",        "--seed",  "1",   "--out",    out + "/image.png"} +
           extra;
  }
  static QStringList story(const QString& file, const QString& out) {
    return {"story", file, "--model", fx("e2e/tiny_sd15_pipeline"), "--out", out};
  }
  static QStringList attend(const QString& out, const QStringList& extra) {
    return QStringList{"attend",   "--model", fx("e2e/tiny_sd15_pipeline"),
                       "--prompt", kPrompt,   "--steps",
                       "2",        "--seed",  "1",
                       "--out",    out} +
           extra;
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    QVERIFY(tmp_.isValid());
    QVERIFY(QDir().mkpath(tmp("config")));
    QVERIFY(QDir().mkpath(tmp("out")));

    // Models with one broken UNet tensor, and one without its UNet folder.
    const auto unet =
        load_safetensors(fixture("e2e/tiny_sd15_pipeline/unet/diffusion_pytorch_model.safetensors"));
    QCOMPARE(unet.at("conv_in.weight").sizes().vec(), (std::vector<std::int64_t>{32, 4, 3, 3}));
    auto wrong_shape = unet;
    wrong_shape["conv_in.weight"] = at::zeros({32, 4, 1, 1});
    write_model_copy(tmps("models/wrong_shape"), wrong_shape);
    auto wrong_dtype = unet;
    wrong_dtype["conv_in.bias"] = at::zeros({32}, at::kLong);  // integers where floats belong
    write_model_copy(tmps("models/wrong_dtype"), wrong_dtype);
    auto nan_weights = unet;
    nan_weights["conv_in.bias"] = unet.at("conv_in.bias").clone();
    nan_weights["conv_in.bias"][5] = std::nan("");
    write_model_copy(tmps("models/nan_weights"), nan_weights);
    write_model_copy(tmps("models/no_unet"), unet);
    fs::remove_all(tmps("models/no_unet/unet"));

    write_story("story_steps0.json", story_with("steps", 0));
    write_story("story_window0.json", story_with("window", {{"mode", "circular"}, {"size", 0}}));
    write_story("story_heun.json", story_with("sampler", "heun"));
    write_story("story_ok.json", story_doc());

    write_mask("mask32.png", 32);
    write_mask("mask20.png", 20);
    write_file_atomically(tmps("garbage.png"), std::string("this is not an image at all \x01\x02\x03", 32));
    // A PNG signature followed by a damaged header chunk: passes the signature check only.
    write_file_atomically(tmps("truncated.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\xff\xff", 18));
  }

  void policy_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("out");
    QTest::addColumn<int>("code");
    QTest::addColumn<QStringList>("names");  // what the message must contain: file, field/location, rule

    const QString model = fx("e2e/tiny_sd15_pipeline");
    const auto row = [&](const char* name, const QStringList& args, int code, const QStringList& names) {
      QTest::newRow(name) << args << out_dir(name) << code << names;
    };
    const auto out = [&](const char* name) { return out_dir(name); };

    // Missing files.
    row("missing model folder", generate(tmp("models/absent"), out("missing model folder")), 2,
        {tmp("models/absent"), "no such file or folder"});
    row("missing model component", generate(tmp("models/no_unet"), out("missing model component")), 3,
        {tmp("models/no_unet"), "unet/", "missing"});
    row("missing story file", story(tmp("absent_story.json"), out("missing story file")), 2,
        {tmp("absent_story.json"), "cannot open"});
    row("missing mask file", attend(out("missing mask file"), {"--mask", "fox=" + tmp("absent_mask.png")}), 2,
        {tmp("absent_mask.png"), "cannot open"});

    // Wrong shapes, wrong dtypes, NaN weights: model errors naming the component folder and the key.
    row("wrong shape", generate(tmp("models/wrong_shape"), out("wrong shape")), 3,
        {tmp("models/wrong_shape/unet"), "conv_in.weight", "expected [32, 4, 3, 3], found [32, 4, 1, 1]"});
    row("wrong dtype", generate(tmp("models/wrong_dtype"), out("wrong dtype")), 3,
        {tmp("models/wrong_dtype/unet"), "conv_in.bias", "expected floating point", "found integer (Long)"});
    row("NaN weights", generate(tmp("models/nan_weights"), out("NaN weights")), 3,
        {tmp("models/nan_weights/unet"), "conv_in.bias", "NaN"});

    // Settings out of range.
    row("steps 0", generate(model, out("steps 0"), {"--steps", "0"}), 2, {"--steps", "between 1 and"});
    row("width not /8", generate(model, out("width not /8"), {"--width", "30"}), 2,
        {"--width", "multiple of 8", "30"});
    row("height not /8", generate(model, out("height not /8"), {"--height", "36"}), 2,
        {"--height", "multiple of 8", "36"});
    row("guidance < 0", generate(model, out("guidance < 0"), {"--guidance", "-1"}), 2,
        {"--guidance", ">= 0"});
    row("story steps 0", story(tmp("story_steps0.json"), out("story steps 0")), 2,
        {tmp("story_steps0.json"), "steps", "at least 1"});
    row("story window 0", story(tmp("story_window0.json"), out("story window 0")), 2,
        {tmp("story_window0.json"), "window.size", "at least 1"});

    // Unknown sampler, as a flag and in a story file.
    row("unknown sampler flag", generate(model, out("unknown sampler flag"), {"--sampler", "heun"}), 2,
        {"--sampler", "heun"});
    row("unknown sampler in story", story(tmp("story_heun.json"), out("unknown sampler in story")), 2,
        {tmp("story_heun.json"), "sampler", "heun"});

    // Unreadable masks.
    row("mask of garbage bytes",
        attend(out("mask of garbage bytes"), {"--mask", "fox=" + tmp("garbage.png")}), 2,
        {tmp("garbage.png"), "signature", "not a PNG"});
    row("truncated mask", attend(out("truncated mask"), {"--mask", "fox=" + tmp("truncated.png")}), 2,
        {tmp("truncated.png"), "cannot decode"});
  }

  void policy() {
    QFETCH(QStringList, args);
    QFETCH(QString, out);
    QFETCH(int, code);
    QFETCH(QStringList, names);
    const CliResult r = run_cli(args);
    qInfo("  exit %d: %s", r.code, qPrintable(r.err.trimmed().left(400)));
    QCOMPARE(r.code, code);
    // The message is one line naming the command ("storyscope-cli generate: FILE: LOCATION: RULE"),
    // the last one (libpng prints its own complaint before it for a damaged PNG).
    const QStringList lines = r.err.trimmed().split('\n');
    const int first = static_cast<int>(lines.indexOf(QRegularExpression("^storyscope-cli .*")));
    QVERIFY2(first >= 0 && lines[first].startsWith("storyscope-cli " + args.front() + ": "),
             qPrintable(r.err));
    for (const QString& n : names)
      QVERIFY2(r.err.contains(n), qPrintable("missing \"" + n + "\" in " + r.err));
    QVERIFY2(!fs::exists(out.toStdString()), qPrintable(out + " was written"));
    QVERIFY(r.out.trimmed().isEmpty());  // no output path was announced
  }

  // A mask of another size than the image is resized (nearest, to each map's grid), with a
  // note naming the file and both sizes; the scores are written as with a same-size mask.
  void maskOfAnotherSizeIsResizedWithANote() {
    const QString out = out_dir("mask of another size");
    const CliResult r = run_cli(attend(out, {"--mask", "fox=" + tmp("mask20.png")}));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("note: mask " + tmp("mask20.png")), qPrintable(r.err));
    QVERIFY2(r.err.contains("is 20x20, the image 32x32") && r.err.contains("resized"), qPrintable(r.err));
    QVERIFY(fs::is_regular_file(out.toStdString() + "/alignment.json"));
    const json rows = json::parse(read_file(out.toStdString() + "/alignment.json"));
    QVERIFY(rows.is_array() && !rows.empty());

    // A mask of the image's size gets no note.
    const QString same = out_dir("mask of the same size");
    const CliResult s = run_cli(attend(same, {"--mask", "fox=" + tmp("mask32.png")}));
    QVERIFY2(s.code == 0, qPrintable(s.err));
    QVERIFY2(!s.err.contains("note: mask"), qPrintable(s.err));
  }

  // The control: the same commands with good input succeed (so the failures above are the input's).
  void goodInputSucceeds() {
    QVERIFY(QDir().mkpath(out_dir("good generate")));
    const CliResult g = run_cli(generate(fx("e2e/tiny_sd15_pipeline"), out_dir("good generate")));
    QVERIFY2(g.code == 0, qPrintable(g.err));
    QVERIFY(fs::is_regular_file(out_dir("good generate").toStdString() + "/image.png"));
    const CliResult s = run_cli(story(tmp("story_ok.json"), out_dir("good story")));
    QVERIFY2(s.code == 0, qPrintable(s.err));
  }
};

QTEST_APPLESS_MAIN(TestBadInputPolicy)
#include "test_bad_input_policy.moc"
