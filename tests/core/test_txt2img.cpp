// Whole text-to-image runs against diffusers 0.27.2 on the tiny e2e pipelines
// (fixtures/e2e): token ids, prompt embeddings, every UNet call's inputs and outputs, the latents
// after each scheduler step, the timesteps and the decoded image. Plus determinism of seeded
// runs, cancellation, request validation and the model folder's loading rules.
#include <ATen/ATen.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <map>

#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;
namespace fs = std::filesystem;

namespace {

// Floor for intermediate tensors the manifest gives no tolerance for (embeddings, first UNet
// call): the float32 pipelines agree far closer than this.
constexpr double kTightTolerance = 1e-5;

const json& e2e_manifest() {
  static const json doc = parse_python_json(read_file(fixture("e2e/manifest.json")), "e2e/manifest.json");
  return doc;
}

// Keeps copies of what the run hands out, as diffusers' hooks stored them.
class Probe : public RunObserver {
 public:
  struct Call {
    at::Tensor input, context, text_embeds, time_ids, output;
    double timestep;
  };
  std::vector<Call> calls;
  std::vector<at::Tensor> latents;
  std::vector<RunProgress> progress;
  int previews = 0;
  bool preview = false;
  CancellationToken cancel_after_first;
  bool cancel_enabled = false;

  void on_unet_call(const UNetCall& c) override {
    calls.push_back({c.input.clone(), c.encoder_hidden_states.clone(),
                     c.added.text_embeds.defined() ? c.added.text_embeds.clone() : at::Tensor(),
                     c.added.time_ids.defined() ? c.added.time_ids.clone() : at::Tensor(), c.output.clone(),
                     c.timestep});
  }
  void on_latents(int, const at::Tensor& l) override { latents.push_back(l.clone()); }
  void on_progress(const RunProgress& p) override {
    progress.push_back(p);
    if (cancel_enabled && p.step == 1) cancel_after_first.cancel();
  }
  bool wants_preview() const override { return preview; }
  void on_step_preview(int, const at::Tensor& image) override {
    ++previews;
    QCOMPARE(image.dim(), 4);
  }
};

template <typename F>
std::optional<Error> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

Txt2ImgRequest fixture_request(const json& call, const json& scheduler, const at::Tensor& latents) {
  Txt2ImgRequest r;
  r.prompt = call.at("prompt").get<std::string>();
  r.steps = call.at("num_inference_steps").get<int>();
  r.guidance = call.at("guidance_scale").get<double>();
  r.width = call.at("width").get<std::int64_t>();
  r.height = call.at("height").get<std::int64_t>();
  const std::string negative = call.value("negative_prompt", std::string("(not passed: None)"));
  if (negative != "(not passed: None)") r.negative = negative;
  // "as loaded from the folder" or `X.from_config(folder config)`: naming the class does both.
  r.sampler = scheduler.at("class").get<std::string>();
  r.init_latents = latents;
  return r;
}

}  // namespace

class TestTxt2Img : public QObject {
  Q_OBJECT
  std::map<std::string, std::shared_ptr<ModelBundle>> bundles_;

  std::shared_ptr<ModelBundle> bundle(const std::string& folder) {
    auto& b = bundles_[folder];
    if (!b) b = ModelBundle::load_diffusers_folder(fixture("e2e/" + folder));
    return b;
  }

  void check(const char* what, const at::Tensor& ours, const at::Tensor& ref, double tol) {
    QVERIFY2(ours.defined(), what);
    QVERIFY2(ours.sizes() == ref.sizes(),
             (std::string(what) + ": shape " + shape_to_string(ours.sizes().vec()) + " vs " +
              shape_to_string(ref.sizes().vec()))
                 .c_str());
    const double d = max_abs_diff(ours.cpu(), ref);
    qInfo("  %-40s max abs %.3g (tolerance %.3g)", what, d, tol);
    QVERIFY2(d <= tol, what);
  }

 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void parity_data() {
    QTest::addColumn<QString>("pipeline");
    QTest::addColumn<QString>("name");
    for (const auto& p : e2e_manifest().at("pipelines"))
      for (const auto& c : p.at("cases")) {
        const std::string row = p.at("name").get<std::string>() + "." + c.at("case").get<std::string>();
        QTest::newRow(row.c_str()) << QString::fromStdString(p.at("name").get<std::string>())
                                   << QString::fromStdString(c.at("case").get<std::string>());
      }
  }

  void parity() {
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
    const auto ref = load_safetensors(fixture("e2e/" + c->at("file").get<std::string>()));
    const auto& tol = c->at("suggested_tolerance");
    const auto tol_of = [&](const std::string& key) { return tol.at(key).at("max_abs").get<double>(); };

    Txt2Img pipe_run(bundle(pipe->at("folder").get<std::string>()));
    Txt2ImgRequest request = fixture_request(c->at("call"), c->at("scheduler"), ref.at("latents_passed"));
    Probe probe;
    const Txt2ImgResult result = pipe_run.run(request, &probe);
    QVERIFY(!result.cancelled);
    QCOMPARE(result.steps_done, request.steps);
    const auto& e = result.embeddings;

    // Token ids: exact.
    QVERIFY(at::equal(e.ids.cpu(), ref.at("ids/prompt")));
    if (ref.count("ids/negative"))
      QVERIFY(e.negative_ids.defined() && at::equal(e.negative_ids.cpu(), ref.at("ids/negative")));
    if (ref.count("ids_2/prompt")) QVERIFY(at::equal(e.ids_2.cpu(), ref.at("ids_2/prompt")));
    if (ref.count("ids_2/negative"))
      QVERIFY(e.negative_ids_2.defined() && at::equal(e.negative_ids_2.cpu(), ref.at("ids_2/negative")));
    const bool cfg = c->at("classifier_free_guidance").get<bool>();
    QCOMPARE(e.negative_prompt_embeds.defined(), cfg);
    if (!ref.count("ids/negative")) QVERIFY(!e.negative_ids.defined());

    check("prompt_embeds", e.prompt_embeds, ref.at("prompt_embeds"), kTightTolerance);
    if (cfg)
      check("negative_prompt_embeds", e.negative_prompt_embeds, ref.at("negative_prompt_embeds"),
            kTightTolerance);
    if (ref.count("pooled_prompt_embeds"))
      check("pooled_prompt_embeds", e.pooled_prompt_embeds, ref.at("pooled_prompt_embeds"), kTightTolerance);
    if (ref.count("negative_pooled_prompt_embeds"))
      check("negative_pooled_prompt_embeds", e.negative_pooled_prompt_embeds,
            ref.at("negative_pooled_prompt_embeds"), kTightTolerance);
    if (c->at("case") == "euler_cfg5.0") {  // force_zeros_for_empty_prompt: exact zeros
      QCOMPARE(e.negative_prompt_embeds.abs().max().item<double>(), 0.0);
      QCOMPARE(e.negative_pooled_prompt_embeds.abs().max().item<double>(), 0.0);
    }

    check("timesteps", result.timesteps, ref.at("timesteps"), 1e-9);
    const int steps = c->at("unet_calls").get<int>();
    QCOMPARE(static_cast<int>(probe.calls.size()), steps);
    QCOMPARE(static_cast<int>(probe.latents.size()), steps);
    check("unet_call0/encoder_hidden_states", probe.calls[0].context,
          ref.at("unet_call0/encoder_hidden_states"), kTightTolerance);
    if (ref.count("unet_call0/text_embeds")) {
      check("unet_call0/text_embeds", probe.calls[0].text_embeds, ref.at("unet_call0/text_embeds"),
            kTightTolerance);
      check("unet_call0/time_ids", probe.calls[0].time_ids, ref.at("unet_call0/time_ids"), 0.0);
    }
    for (int i = 0; i < steps; ++i) {
      const std::string s = std::to_string(i);
      QCOMPARE(probe.calls[i].timestep, c->at("unet_call_timesteps").at(i).get<double>());
      // The inputs of call i are the latents of step i-1; the outputs feed step i.
      const double in_tol = i == 0 ? kTightTolerance : tol_of("latents_after_step/" + std::to_string(i - 1));
      check(("unet_in/" + s).c_str(), probe.calls[i].input, ref.at("unet_in/" + s), in_tol);
      check(("unet_out/" + s).c_str(), probe.calls[i].output, ref.at("unet_out/" + s),
            tol_of("latents_after_step/" + s));
      check(("latents_after_step/" + s).c_str(), probe.latents[i], ref.at("latents_after_step/" + s),
            tol_of("latents_after_step/" + s));
    }
    check("latents (final)", result.latents, ref.at("latents_after_step/" + std::to_string(steps - 1)),
          tol_of("latents_after_step/" + std::to_string(steps - 1)));
    check("image", result.images.permute({0, 2, 3, 1}), ref.at("image"), tol_of("image"));
  }

  // SDXL with force_zeros: an explicit "" negative is encoded, so it must not reproduce the
  // fixture made with the negative prompt absent.
  void emptyNegativeIsNotAbsent() {
    const auto ref = load_safetensors(fixture("e2e/tiny_sdxl_pipeline.euler_cfg5.0.safetensors"));
    Txt2ImgRequest r;
    r.prompt = "a red fox in the snow";
    r.steps = 3;
    r.guidance = 5.0;
    r.width = r.height = 32;
    r.init_latents = ref.at("latents_passed");
    r.negative = "";
    const auto res = Txt2Img(bundle("tiny_sdxl_pipeline")).run(r);
    QVERIFY(res.embeddings.negative_ids.defined());
    QVERIFY(res.embeddings.negative_prompt_embeds.abs().max().item<double>() > 0.1);
    const double d = max_abs_diff(res.images.permute({0, 2, 3, 1}), ref.at("image"));
    qInfo("  image vs the absent-negative fixture: %.3g", d);
    QVERIFY(d > 1e-3);
  }

  // Same seed + settings = same bytes; another seed differs; image 0 of a batch is the batch-1 image.
  void determinism() {
    Txt2Img run(bundle("tiny_sd15_pipeline"));
    Txt2ImgRequest r;
    r.prompt = "a red fox in the snow";
    r.steps = 2;
    r.seed = 1234;
    r.width = r.height = 32;
    const auto a = run.run(r), b = run.run(r);
    QCOMPARE(a.images.sizes().vec(), (std::vector<std::int64_t>{1, 3, 32, 32}));
    QVERIFY(at::equal(a.images, b.images));
    QVERIFY(at::equal(a.latents, b.latents));
    r.seed = 1235;
    const auto c = run.run(r);
    QVERIFY(!at::equal(a.images, c.images));
    r.seed = 1234;
    r.batch = 2;
    const auto d = run.run(r);
    QCOMPARE(d.images.size(0), std::int64_t{2});
    // Same noise; batched kernels may round differently from batch-1 ones, hence not bitwise.
    const double same = max_abs_diff(d.images[0], a.images[0]),
                 other = max_abs_diff(d.images[1], a.images[0]);
    qInfo("  batch image 0 vs batch-1 image: %.3g; image 1 vs it: %.3g", same, other);
    QVERIFY(same < 1e-5);
    QVERIFY(other > 1e-2);
    // The documented generator: CPU mt19937 randn, one [1,C,h,w] draw per image.
    QVERIFY(at::equal(seeded_noise(1234, 2, 4, 16, 16)[0], seeded_noise(1234, 1, 4, 16, 16)[0]));
  }

  // DDIM with eta > 0 draws step noise from the seed's generator: still deterministic.
  void stochasticSteps() {
    Txt2Img run(bundle("tiny_sd15_pipeline"));
    Txt2ImgRequest r;
    r.prompt = "a fox";
    r.steps = 3;
    r.eta = 1.0;
    r.seed = 7;
    r.width = r.height = 32;
    const auto a = run.run(r), b = run.run(r);
    QVERIFY(at::equal(a.images, b.images));
    r.eta = 0.0;
    QVERIFY(!at::equal(run.run(r).images, a.images));
    r.sampler = "ddpm";
    const auto c = run.run(r), d = run.run(r);
    QVERIFY(at::equal(c.images, d.images));
  }

  void cancellation() {
    Txt2Img run(bundle("tiny_sdxl_pipeline"));
    Txt2ImgRequest r;
    r.prompt = "a red fox";
    r.steps = 5;
    r.width = r.height = 32;
    Probe probe;
    probe.cancel_enabled = true;
    const auto res = run.run(r, &probe, probe.cancel_after_first);
    QVERIFY(res.cancelled);
    QCOMPARE(res.steps_done, 1);
    QCOMPARE(static_cast<int>(probe.calls.size()), 1);
    QVERIFY(!res.images.defined());
    QVERIFY(res.latents.defined() && res.predicted_x0.defined());
    QCOMPARE(probe.progress.back().total, 5);
    // Cancelled before it starts: nothing done, still returns.
    CancellationToken early;
    early.cancel();
    const auto none = run.run(r, nullptr, early);
    QVERIFY(none.cancelled);
    QCOMPARE(none.steps_done, 0);
  }

  void previews() {
    Txt2Img run(bundle("tiny_sd15_pipeline"));
    Txt2ImgRequest r;
    r.prompt = "a red fox";
    r.steps = 3;
    r.width = r.height = 32;
    Probe probe;
    probe.preview = true;
    run.run(r, &probe);
    QCOMPARE(probe.previews, 3);
    QCOMPARE(probe.progress.size(), std::size_t{3});
    QCOMPARE(probe.progress.back().step, 3);
  }

  void defaultsFromModel() {
    auto b = bundle("tiny_sdxl_pipeline");
    QCOMPARE(b->vae_scale_factor(), std::int64_t{2});
    QCOMPARE(b->default_image_size(), std::int64_t{32});
    QVERIFY(b->dual_text_encoders());
    QVERIFY(b->force_zeros_for_empty_prompt());
    QVERIFY(!bundle("tiny_sd15_pipeline")->force_zeros_for_empty_prompt());
    Txt2ImgRequest r;
    r.prompt = "x";
    r.steps = 1;
    const auto res = Txt2Img(b).run(r);
    QCOMPARE(res.images.sizes().vec(), (std::vector<std::int64_t>{1, 3, 32, 32}));
    QCOMPARE(res.scheduler, std::string("EulerDiscreteScheduler"));
  }

  void requestErrors() {
    Txt2Img run(bundle("tiny_sd15_pipeline"));
    const auto field_of = [&](const std::function<void(Txt2ImgRequest&)>& change) {
      Txt2ImgRequest r;
      r.prompt = "a fox";
      r.steps = 1;
      change(r);
      const auto e = error_of([&] { run.run(r); });
      if (!e) return std::string("(no error)");
      if (e->kind() != ErrorKind::BadInput) return std::string("(wrong kind)");
      qInfo("  %s", e->what());
      return e->location();
    };
    QCOMPARE(field_of([](Txt2ImgRequest& r) { r.width = 36; }), std::string("width"));
    QCOMPARE(field_of([](Txt2ImgRequest& r) { r.height = 12; }), std::string("height"));
    QCOMPARE(field_of([](Txt2ImgRequest& r) { r.steps = 0; }), std::string("steps"));
    QCOMPARE(field_of([](Txt2ImgRequest& r) { r.guidance = -1; }), std::string("guidance"));
    QCOMPARE(field_of([](Txt2ImgRequest& r) { r.sampler = "heun-9000"; }), std::string("sampler"));
    QCOMPARE(field_of([](Txt2ImgRequest& r) { r.batch = 0; }), std::string("batch"));
    QCOMPARE(field_of([](Txt2ImgRequest& r) {
               r.init_latents = at::zeros({1, 4, 8, 8});
             }),
             std::string("init_latents"));
    QCOMPARE(field_of([](Txt2ImgRequest&) {}), std::string("(no error)"));
  }

  // Weights stay the mmap'd file's memory when the dtype matches; other dtypes convert.
  void zeroCopyAndDtypes() {
    ModelParts parts = ModelBundle::read_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
    const std::string key = "conv_in.weight";
    const void* mapped = parts.unet.weights.at(key).data_ptr();
    auto b = ModelBundle::from_parts(std::move(parts));
    QCOMPARE(b->unet()->named_parameters()[key].data_ptr(), mapped);

    LoadSettings half;
    half.dtype = at::kBFloat16;
    auto h = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"), half);
    QCOMPARE(h->unet()->named_parameters()[key].scalar_type(), at::kBFloat16);
    QCOMPARE(h->text_encoder()->parameters()[0].scalar_type(), at::kBFloat16);
    QVERIFY(at::equal(h->unet()->named_parameters()[key].to(at::kFloat),
                      b->unet()->named_parameters()[key].to(at::kBFloat16).to(at::kFloat)));
  }

  // A pixel-space model: no VAE, latents are the image.
  void pixelSpace() {
    ModelParts parts = ModelBundle::read_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
    parts.vae.reset();
    auto b = ModelBundle::from_parts(std::move(parts));
    QCOMPARE(b->family(), ModelFamily::PixelSpace);
    QCOMPARE(b->vae_scale_factor(), std::int64_t{1});
    Txt2ImgRequest r;
    r.prompt = "a fox";
    r.steps = 2;
    const auto res = Txt2Img(b).run(r);
    QCOMPARE(res.images.sizes().vec(), (std::vector<std::int64_t>{1, 4, 16, 16}));
    QVERIFY(res.images.min().item<double>() >= 0 && res.images.max().item<double>() <= 1);
  }

  void folderErrors() {
    const auto message = [](const std::string& dir) {
      const auto e = error_of([&] { ModelBundle::load_diffusers_folder(dir); });
      return e ? std::string(e->what()) : std::string("(no error)");
    };
    QVERIFY(message("/nonexistent/model").find("/nonexistent/model") != std::string::npos);
    // A copy of the SD1.5 folder without its tokenizer.
    const fs::path tmp = fs::temp_directory_path() / ("storyscope_txt2img_" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    const fs::path src = fixture("e2e/tiny_sd15_pipeline");
    for (const char* part : {"unet", "vae", "text_encoder", "scheduler"})
      fs::create_directory_symlink(src / part, tmp / part);
    fs::copy_file(src / "model_index.json", tmp / "model_index.json");
    const std::string no_tokenizer = message(tmp.string());
    qInfo("  %s", no_tokenizer.c_str());
    QVERIFY(no_tokenizer.find("tokenizer") != std::string::npos);
    fs::create_directory_symlink(src / "tokenizer", tmp / "tokenizer");
    fs::remove(tmp / "vae");  // listed in model_index.json, so required
    const std::string no_vae = message(tmp.string());
    qInfo("  %s", no_vae.c_str());
    QVERIFY(no_vae.find("vae/") != std::string::npos);
    fs::create_directory_symlink(src / "vae", tmp / "vae");
    QCOMPARE(message(tmp.string()), std::string("(no error)"));
    fs::remove_all(tmp);
  }
};

QTEST_APPLESS_MAIN(TestTxt2Img)
#include "test_txt2img.moc"
