// storyscope-cli generate, run as a user would: every e2e reference case through the CLI with
// --init-latents and --save-intermediates (compared to the diffusers fixtures), the PNG bytes,
// seeds, single-file checkpoints, remembered tokenizers, Ctrl-C, bad input and batches.
#include <ATen/ATen.h>
#include <signal.h>
#include <sys/types.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

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

// Floor for tensors the manifest gives no tolerance for (embeddings, first UNet input): the
// float32 pipelines agree far closer than this.
constexpr double kTightTolerance = 1e-5;
const char* const kPrompt = "a red fox in the snow";

struct Result {
  int code;
  QString out, err;
};

const json& e2e_manifest() {
  static const json doc = parse_python_json(read_file(fixture("e2e/manifest.json")), "e2e/manifest.json");
  return doc;
}

QString fx(const std::string& rel) { return QString::fromStdString(fixture(rel)); }

std::string file_bytes(const QString& path) {
  std::ifstream in(path.toStdString(), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The PNG's pixels as a [H,W,3] uint8 tensor.
at::Tensor png_pixels(const QString& path) {
  RgbImage img = read_png(path.toStdString());
  return at::from_blob(img.rgb.data(), {img.height, img.width, 3}, at::kByte).clone();
}

std::string sampler_flag(const std::string& scheduler_class) {
  if (scheduler_class == "DDIMScheduler") return "ddim";
  if (scheduler_class == "EulerDiscreteScheduler") return "euler";
  if (scheduler_class == "DPMSolverMultistepScheduler") return "dpmpp-2m";
  return scheduler_class;
}

}  // namespace

class TestCliGenerate : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QString config_home_;

  QString tmp(const QString& name) const { return tmp_.filePath(name); }

  // Every run gets its own STORYSCOPE_CONFIG_HOME so no test touches the user's remembered
  // tokenizers.
  Result run_cli(const QStringList& args, const QString& config_home = QString()) const {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("STORYSCOPE_CONFIG_HOME", config_home.isEmpty() ? config_home_ : config_home);
    env.insert("OMP_NUM_THREADS", "2");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STORYSCOPE_CLI), args);
    if (!p.waitForFinished(600000)) return {-1, {}, QStringLiteral("timed out")};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
  }

  static QStringList tiny_sd15_args(const QString& out) {
    return {"generate",
            "--model",
            fx("e2e/tiny_sd15_pipeline"),
            "--prompt",
            kPrompt,
            "--negative",
            "",
            "--steps",
            "3",
            "--guidance",
            "7.5",
            "--seed",
            "1",
            "--init-latents",
            fx("e2e/tiny_sd15_pipeline.ddim_cfg7.5.safetensors"),
            "--init-latents-key",
            "latents_passed",
            "--out",
            out};
  }

  void check(const std::string& what, const at::Tensor& ours, const at::Tensor& ref, double tol) {
    QVERIFY2(ours.sizes() == ref.sizes(), (what + ": shape differs").c_str());
    const double d = max_abs_diff(ours, ref);
    qInfo("  %-40s max abs %.3g (tolerance %.3g)", what.c_str(), d, tol);
    QVERIFY2(d <= tol, what.c_str());
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    QVERIFY(tmp_.isValid());
    config_home_ = tmp("config");
    QVERIFY(QDir().mkpath(config_home_));
  }

  void e2eCases_data() {
    QTest::addColumn<QString>("pipeline");
    QTest::addColumn<QString>("name");
    for (const auto& p : e2e_manifest().at("pipelines"))
      for (const auto& c : p.at("cases")) {
        const std::string row = p.at("name").get<std::string>() + "." + c.at("case").get<std::string>();
        QTest::newRow(row.c_str()) << QString::fromStdString(p.at("name").get<std::string>())
                                   << QString::fromStdString(c.at("case").get<std::string>());
      }
  }

  void e2eCases() {
    QFETCH(QString, pipeline);
    QFETCH(QString, name);
    const json* pipe = nullptr;
    const json* c = nullptr;
    for (const auto& p : e2e_manifest().at("pipelines"))
      if (p.at("name") == pipeline.toStdString()) {
        pipe = &p;
        for (const auto& k : p.at("cases"))
          if (k.at("case") == name.toStdString()) c = &k;
      }
    QVERIFY(pipe && c);
    const std::string folder = "e2e/" + pipe->at("folder").get<std::string>();
    const std::string ref_file = "e2e/" + c->at("file").get<std::string>();
    const json& call = c->at("call");
    const auto ref = load_safetensors(fixture(ref_file));
    const auto tol_of = [&](const std::string& key) {
      return c->at("suggested_tolerance").at(key).at("max_abs").get<double>();
    };

    QStringList args{"generate",
                     "--model",
                     fx(folder),
                     "--prompt",
                     QString::fromStdString(call.at("prompt").get<std::string>()),
                     "--steps",
                     QString::number(call.at("num_inference_steps").get<int>()),
                     "--guidance",
                     QString::number(call.at("guidance_scale").get<double>()),
                     "--width",
                     QString::number(call.at("width").get<int>()),
                     "--height",
                     QString::number(call.at("height").get<int>()),
                     "--seed",
                     "1",
                     "--init-latents",
                     fx(ref_file),
                     "--init-latents-key",
                     "latents_passed",
                     "--out",
                     tmp(pipeline + "." + name + ".png"),
                     "--save-intermediates",
                     tmp(pipeline + "." + name + ".safetensors")};
    // SDXL "(not passed: None)" = no --negative, which is not the same as "".
    const std::string negative = call.at("negative_prompt").get<std::string>();
    if (negative.rfind("(not passed", 0) != 0) args << "--negative" << QString::fromStdString(negative);
    // The folder's own scheduler without --sampler; other schedulers through --sampler, built
    // from the folder's config as diffusers' X.from_config(...).
    const std::string folder_class =
        JsonFields::from_file(fixture(folder + "/scheduler/scheduler_config.json"))
            .get_string("_class_name", "");
    const std::string wanted_class = c->at("scheduler").at("class").get<std::string>();
    if (wanted_class != folder_class)
      args << "--sampler" << QString::fromStdString(sampler_flag(wanted_class));

    const Result r = run_cli(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto ours = load_safetensors(tmp(pipeline + "." + name + ".safetensors").toStdString());

    // The same set of conditioning keys: CFG off has no negatives, SDXL's forced zeros no
    // negative ids.
    for (const char* key :
         {"ids/prompt", "ids/negative", "ids_2/prompt", "ids_2/negative", "prompt_embeds",
          "negative_prompt_embeds", "pooled_prompt_embeds", "negative_pooled_prompt_embeds"}) {
      QVERIFY2(ours.count(key) == ref.count(key), key);
      if (!ref.count(key)) continue;
      if (std::string(key).rfind("ids", 0) == 0)
        QVERIFY2(at::equal(ours.at(key), ref.at(key)), key);
      else
        check(key, ours.at(key), ref.at(key), kTightTolerance);
    }
    check("timesteps", ours.at("timesteps"), ref.at("timesteps"), 1e-9);
    for (const char* key :
         {"unet_call0/encoder_hidden_states", "unet_call0/text_embeds", "unet_call0/time_ids"}) {
      QVERIFY2(ours.count(key) == ref.count(key), key);
      if (ref.count(key)) check(key, ours.at(key), ref.at(key), kTightTolerance);
    }
    const int steps = call.at("num_inference_steps").get<int>();
    for (int i = 0; i < steps; ++i) {
      const std::string s = std::to_string(i);
      const double in_tol = i == 0 ? kTightTolerance : tol_of("latents_after_step/" + std::to_string(i - 1));
      check("unet_in/" + s, ours.at("unet_in/" + s), ref.at("unet_in/" + s), in_tol);
      check("unet_out/" + s, ours.at("unet_out/" + s), ref.at("unet_out/" + s),
            tol_of("latents_after_step/" + s));
      check("latents_after_step/" + s, ours.at("latents_after_step/" + s), ref.at("latents_after_step/" + s),
            tol_of("latents_after_step/" + s));
    }
    QVERIFY(!ours.count("latents_after_step/" + std::to_string(steps)));
    check("image", ours.at("image"), ref.at("image"), tol_of("image"));

    // The PNG holds diffusers' 8-bit rounding of the reference image (up to boundary cases).
    const at::Tensor expected = ref.at("image")[0].mul(255.0).round().to(at::kByte);
    const at::Tensor pixels = png_pixels(tmp(pipeline + "." + name + ".png"));
    const std::int64_t differing = pixels.ne(expected).sum().item<std::int64_t>();
    qInfo("  PNG pixels differing from round(image*255): %lld of %lld", static_cast<long long>(differing),
          static_cast<long long>(expected.numel()));
    // A pixel may round the other way only where the reference sits within the image tolerance
    // of a rounding boundary (thread counts change the last float bits).
    const at::Tensor off = (pixels.to(at::kDouble) - ref.at("image")[0].to(at::kDouble) * 255.0).abs();
    QVERIFY2(off.max().item<double>() <= 0.5 + 255.0 * tol_of("image") + 1e-9,
             "a PNG pixel off by more than rounding");
  }

  void sameSeedSameBytesOtherSeedDiffers() {
    const auto run = [&](const char* seed, const QString& out) {
      return run_cli({"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", kPrompt, "--steps",
                      "3", "--seed", seed, "--out", out});
    };
    for (const auto& [seed, out] : std::vector<std::pair<const char*, QString>>{
             {"42", tmp("seed42a.png")}, {"42", tmp("seed42b.png")}, {"43", tmp("seed43.png")}}) {
      const Result r = run(seed, out);
      QVERIFY2(r.code == 0, qPrintable(r.err));
    }
    const std::string a = file_bytes(tmp("seed42a.png"));
    QVERIFY(!a.empty());
    QVERIFY(a == file_bytes(tmp("seed42b.png")));
    QVERIFY(!at::equal(png_pixels(tmp("seed42a.png")), png_pixels(tmp("seed43.png"))));
  }

  void singleFileMatchesFolder() {
    Result r = run_cli(tiny_sd15_args(tmp("folder.png")));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QStringList args = tiny_sd15_args(tmp("single.png"));
    args[2] = fx("e2e/tiny_sd15_single_file.safetensors");
    args << "--config-from" << fx("e2e/tiny_sd15_pipeline");
    r = run_cli(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(at::equal(png_pixels(tmp("folder.png")), png_pixels(tmp("single.png"))));
  }

  void pngCarriesGenerationParameters() {
    const QString out = tmp("meta.png");
    const Result r = run_cli({"generate",
                              "--model",
                              fx("e2e/tiny_sd15_pipeline"),
                              "--prompt",
                              kPrompt,
                              "--negative",
                              "blurry, low quality",
                              "--steps",
                              "4",
                              "--guidance",
                              "6.5",
                              "--sampler",
                              "euler",
                              "--seed",
                              "12345",
                              "--width",
                              "48",
                              "--height",
                              "40",
                              "--out",
                              out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const PngGenerationInfo info = read_generation_png(out.toStdString());
    QVERIFY(info.parameters.has_value());
    const GenerationParameters& p = *info.parameters;
    QCOMPARE(QString::fromStdString(p.prompt), QString(kPrompt));
    QCOMPARE(QString::fromStdString(p.negative_prompt), QStringLiteral("blurry, low quality"));
    QCOMPARE(p.steps, 4);
    QCOMPARE(QString::fromStdString(p.sampler), QStringLiteral("Euler"));
    QCOMPARE(p.cfg_scale, 6.5);
    QCOMPARE(p.seed, std::uint64_t{12345});
    QCOMPARE(p.width, 48);
    QCOMPARE(p.height, 40);
    QCOMPARE(QString::fromStdString(p.model), QStringLiteral("tiny_sd15_pipeline"));
    const json& s = info.settings;
    QVERIFY(s.is_object());
    QCOMPARE(s.at("prompt").get<std::string>(), std::string(kPrompt));
    QCOMPARE(s.at("negative").get<std::string>(), std::string("blurry, low quality"));
    QCOMPARE(s.at("steps").get<int>(), 4);
    QCOMPARE(s.at("guidance").get<double>(), 6.5);
    QCOMPARE(s.at("sampler").get<std::string>(), std::string("EulerDiscreteScheduler"));
    QCOMPARE(s.at("seed").get<std::uint64_t>(), std::uint64_t{12345});
    QCOMPARE(s.at("width").get<int>(), 48);
    QCOMPARE(s.at("height").get<int>(), 40);
    // Detected from layer sizes: the tiny folder is "unknown", a real SD1.5 folder "sd1".
    QVERIFY(s.at("family").is_string());
    QVERIFY(QString::fromStdString(s.at("model").get<std::string>()).endsWith("tiny_sd15_pipeline"));
    const RgbImage img = read_png(out.toStdString());
    QCOMPARE(img.width, 48);
    QCOMPARE(img.height, 40);
  }

  void singleFileTokenizerIsRemembered() {
    const QString home = tmp("tok_config");
    QVERIFY(QDir().mkpath(home));
    const fs::path configs = tmp("configs_without_tokenizer").toStdString();
    fs::copy(fixture("e2e/tiny_sd15_pipeline"), configs, fs::copy_options::recursive);
    fs::remove_all(configs / "tokenizer");
    const QStringList base{"generate",
                           "--model",
                           fx("e2e/tiny_sd15_single_file.safetensors"),
                           "--config-from",
                           QString::fromStdString(configs.string()),
                           "--prompt",
                           kPrompt,
                           "--steps",
                           "1",
                           "--seed",
                           "3"};
    Result r = run_cli(base + QStringList{"--out", tmp("tok1.png")}, home);
    qInfo("first run: %s", qPrintable(r.err.trimmed()));
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--tokenizer"));
    QVERIFY(r.err.contains("tokenizer folder"));
    QVERIFY(!QFile::exists(tmp("tok1.png")));

    r = run_cli(
        base + QStringList{"--tokenizer", fx("e2e/tiny_sd15_pipeline/tokenizer"), "--out", tmp("tok2.png")},
        home);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = run_cli(base + QStringList{"--out", tmp("tok3.png")}, home);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(at::equal(png_pixels(tmp("tok2.png")), png_pixels(tmp("tok3.png"))));
  }

  void ctrlCStopsWithoutWriting() {
    // DDIM allows up to num_train_timesteps (1000) steps; 900 keeps the run going long enough.
    const QString out = tmp("interrupted.png");
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("STORYSCOPE_CONFIG_HOME", config_home_);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STORYSCOPE_CLI),
            {"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", kPrompt, "--steps", "900",
             "--seed", "5", "--out", out, "--save-intermediates", tmp("interrupted.safetensors")});
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
    timer.restart();
    QVERIFY2(p.waitForFinished(10000), "generate did not stop within 10 s of SIGINT");
    qInfo("stopped %lld ms after SIGINT", static_cast<long long>(timer.elapsed()));
    err += QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    QVERIFY2(err.contains("cancelled"), qPrintable(err.right(300)));
    QVERIFY(!QFile::exists(out));
    QVERIFY(!QFile::exists(tmp("interrupted.safetensors")));
  }

  void badInputNamesTheFlag_data() {
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("flag");
    QTest::newRow("steps 0") << QStringList{"--prompt", "x", "--steps", "0"} << "--steps";
    QTest::newRow("width 30") << QStringList{"--prompt", "x", "--width", "30"} << "--width";
    QTest::newRow("guidance -1") << QStringList{"--prompt", "x", "--guidance", "-1"} << "--guidance";
    QTest::newRow("sampler heun") << QStringList{"--prompt", "x", "--sampler", "heun"} << "--sampler";
    QTest::newRow("no prompt") << QStringList{} << "--prompt";
  }

  void badInputNamesTheFlag() {
    QFETCH(QStringList, extra);
    QFETCH(QString, flag);
    const QString out = tmp("bad.png");
    const Result r =
        run_cli(QStringList{"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--out", out} + extra);
    qInfo("  %s", qPrintable(r.err.trimmed()));
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(flag), qPrintable(r.err));
    QVERIFY(!QFile::exists(out));
  }

  void batchWritesOneFileEach() {
    Result r = run_cli({"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", kPrompt, "--steps",
                        "3", "--seed", "7", "--batch", "2", "--out", tmp("batch.png")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(tmp("batch-0.png")));
    QVERIFY(QFile::exists(tmp("batch-1.png")));
    QVERIFY(!QFile::exists(tmp("batch.png")));
    r = run_cli({"generate", "--model", fx("e2e/tiny_sd15_pipeline"), "--prompt", kPrompt, "--steps", "3",
                 "--seed", "7", "--out", tmp("single7.png")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const at::Tensor first = png_pixels(tmp("batch-0.png")).to(at::kInt);
    const at::Tensor alone = png_pixels(tmp("single7.png")).to(at::kInt);
    const int diff = (first - alone).abs().max().item<int>();
    qInfo("batch image 0 vs batch-1 image: max %d/255", diff);
    QVERIFY(diff <= 1);
    QVERIFY(!at::equal(png_pixels(tmp("batch-0.png")), png_pixels(tmp("batch-1.png"))));
    const PngGenerationInfo info = read_generation_png(tmp("batch-1.png").toStdString());
    QCOMPARE(info.settings.at("batch_index").get<int>(), 1);
  }
};

QTEST_APPLESS_MAIN(TestCliGenerate)
#include "test_cli_generate.moc"
