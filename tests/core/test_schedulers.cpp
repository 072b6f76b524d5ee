// Parity of the schedulers with diffusers 0.27.2 (fixtures/schedulers.safetensors): timesteps,
// sigmas, input scaling and whole 5- and 20-step rollouts of every variant, plus the config
// resolution rules of `X.from_config(other.config)` and the errors users can cause.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <QtTest/QtTest>
#include <cmath>
#include <map>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/config/scheduler_config.h"
#include "core/schedulers/factory.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;

namespace {

const std::vector<std::int64_t> kShape = {1, 4, 8, 8};

struct Variant {
  std::string kind;
  std::string cls;
  json overrides;  // config keys only
  bool eta_one = false;
  json resolved;  // diffusers' resolved config
  json init_noise_sigma;
};

double rel_diff(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor ad = a.to(at::kDouble), bd = b.to(at::kDouble);
  return ((ad - bd).abs() / bd.abs().clamp_min(1e-12)).max().item<double>();
}

template <typename F>
QString error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

SchedulerConfig config_from(const std::string& text) {
  return SchedulerConfig::from_json(json::parse(text), "test.json");
}

}  // namespace

class TestSchedulers : public QObject {
  Q_OBJECT

  std::map<std::string, at::Tensor> fx_;
  json base_;
  json tolerances_;
  std::map<std::string, Variant> variants_;

  std::unique_ptr<Scheduler> make(const Variant& v) {
    json doc = base_;
    for (auto it = v.overrides.begin(); it != v.overrides.end(); ++it) doc[it.key()] = it.value();
    return make_scheduler(SchedulerConfig::from_json(doc, "sd15 scheduler_config.json"), v.cls);
  }

  void add_kind_rows() {
    QTest::addColumn<QString>("kind");
    for (const auto& [kind, v] : variants_) QTest::newRow(kind.c_str()) << QString::fromStdString(kind);
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    fx_ = load_safetensors(testing::fixture("schedulers.safetensors"));
    const json manifest = parse_python_json(read_file(testing::fixture("manifest.json")), "manifest.json");
    const json* c = nullptr;
    for (const auto& entry : manifest.at("cases"))
      if (entry.value("name", "") == "schedulers") c = &entry;
    QVERIFY(c);
    base_ = c->at("base_config");
    tolerances_ = c->at("suggested_tolerance").at("latents_max_abs");
    for (auto it = c->at("schedulers").begin(); it != c->at("schedulers").end(); ++it) {
      Variant v;
      v.kind = it.key();
      v.cls = it->at("class");
      for (auto o = it->at("overrides").begin(); o != it->at("overrides").end(); ++o) {
        if (o.key().rfind("step(", 0) == 0)
          v.eta_one = o.key().find("eta=1.0") != std::string::npos;
        else
          v.overrides[o.key()] = o.value();
      }
      v.resolved = it->at("config");
      v.init_noise_sigma = it->at("init_noise_sigma");
      variants_[v.kind] = v;
    }
    QCOMPARE(variants_.size(), std::size_t(7));
  }

  void alphasCumprodMatch() {
    for (const auto& [kind, v] : variants_) {
      const double d = testing::max_abs_diff(make(v)->alphas_cumprod(), fx_.at("alphas_cumprod"));
      qInfo("%s alphas_cumprod max abs diff %.3g", kind.c_str(), d);
      QVERIFY(d == 0.0);
    }
  }

  // The defaults diffusers filled in must be the ones we resolve.
  void resolvedConfigMatchesDiffusers_data() { add_kind_rows(); }
  void resolvedConfigMatchesDiffusers() {
    QFETCH(QString, kind);
    const Variant& v = variants_.at(kind.toStdString());
    const auto scheduler = make(v);
    const SchedulerConfig& c = scheduler->config();
    const json& r = v.resolved;
    QCOMPARE(c.class_name, r.at("_class_name").get<std::string>());
    QCOMPARE(c.num_train_timesteps, r.at("num_train_timesteps").get<std::int64_t>());
    QCOMPARE(c.beta_schedule, r.at("beta_schedule").get<std::string>());
    QCOMPARE(c.beta_start, r.at("beta_start").get<double>());
    QCOMPARE(c.beta_end, r.at("beta_end").get<double>());
    QCOMPARE(c.prediction_type, r.at("prediction_type").get<std::string>());
    QCOMPARE(c.timestep_spacing, r.at("timestep_spacing").get<std::string>());
    QCOMPARE(c.steps_offset, r.at("steps_offset").get<std::int64_t>());
    QCOMPARE(c.rescale_betas_zero_snr, r.at("rescale_betas_zero_snr").get<bool>());
    if (r.contains("set_alpha_to_one")) QCOMPARE(c.set_alpha_to_one, r.at("set_alpha_to_one").get<bool>());
    if (r.contains("clip_sample")) QCOMPARE(c.clip_sample, r.at("clip_sample").get<bool>());
    if (v.cls == "DDPMScheduler") QCOMPARE(*c.variance_type, r.at("variance_type").get<std::string>());
    if (v.cls == "EulerDiscreteScheduler") {
      QCOMPARE(c.interpolation_type, r.at("interpolation_type").get<std::string>());
      QCOMPARE(c.use_karras_sigmas, r.at("use_karras_sigmas").get<bool>());
      QCOMPARE(c.timestep_type, r.at("timestep_type").get<std::string>());
    }
    if (v.cls == "DPMSolverMultistepScheduler") {
      QCOMPARE(c.algorithm_type, r.at("algorithm_type").get<std::string>());
      QCOMPARE(c.solver_order, r.at("solver_order").get<std::int64_t>());
      QCOMPARE(c.solver_type, r.at("solver_type").get<std::string>());
      QCOMPARE(c.lower_order_final, r.at("lower_order_final").get<bool>());
      QCOMPARE(c.euler_at_final, r.at("euler_at_final").get<bool>());
      QCOMPARE(c.final_sigmas_type, r.at("final_sigmas_type").get<std::string>());
      QVERIFY(!c.variance_type);
      QVERIFY(std::isinf(c.lambda_min_clipped) && c.lambda_min_clipped < 0);
    }
  }

  void timestepsAndSigmas_data() { add_kind_rows(); }
  void timestepsAndSigmas() {
    QFETCH(QString, kind);
    const std::string k = kind.toStdString();
    const Variant& v = variants_.at(k);
    auto s = make(v);
    for (int n : {5, 20, 50}) {
      s->set_timesteps(n);
      const at::Tensor expected = fx_.at(k + "/timesteps_" + std::to_string(n));
      QCOMPARE(s->timesteps().scalar_type(), expected.scalar_type());
      const double dt = testing::max_abs_diff(s->timesteps(), expected);
      const double tol = expected.is_floating_point() ? 1e-4 : 0.0;
      qInfo("%s timesteps_%d max abs diff %.3g (tol %.0g)", k.c_str(), n, dt, tol);
      QVERIFY(dt <= tol);
      const std::string sigma_key = k + "/sigmas_" + std::to_string(n);
      if (fx_.count(sigma_key)) {
        QVERIFY(s->sigmas().defined());
        const at::Tensor want = fx_.at(sigma_key);
        QCOMPARE(s->sigmas().sizes(), want.sizes());
        // The final sigma is 0: compare it absolutely, the rest relatively.
        const double rel = rel_diff(s->sigmas().slice(0, 0, -1), want.slice(0, 0, -1));
        const double last = std::fabs(s->sigmas()[-1].item<double>() - want[-1].item<double>());
        qInfo("%s sigmas_%d max rel diff %.3g, final %.3g (tol 1e-5)", k.c_str(), n, rel, last);
        QVERIFY(rel <= 1e-5 && last <= 1e-6);
      }
      const double ins = v.init_noise_sigma.at(std::to_string(n)).get<double>();
      QVERIFY2(std::fabs(s->init_noise_sigma() - ins) <= 1e-6 * ins,
               (std::to_string(s->init_noise_sigma()) + " vs " + std::to_string(ins)).c_str());
    }
  }

  void rollouts_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("steps");
    for (const auto& [kind, v] : variants_)
      for (int n : {5, 20})
        QTest::newRow((kind + "/rollout" + std::to_string(n)).c_str()) << QString::fromStdString(kind) << n;
  }
  void rollouts() {
    QFETCH(QString, kind);
    QFETCH(int, steps);
    const std::string k = kind.toStdString();
    const std::string prefix = k + "/rollout" + std::to_string(steps) + "/";
    const Variant& v = variants_.at(k);
    const double tol = tolerances_.at(k + "/rollout" + std::to_string(steps)).get<double>();
    auto s = make(v);
    s->set_timesteps(steps);
    QCOMPARE(s->timesteps().size(0), std::int64_t(steps));

    at::Tensor latents = splitmix_input("sched_x", kShape) * s->init_noise_sigma();
    QVERIFY(at::equal(splitmix_input("sched_x", kShape), fx_.at("sched_x")));
    double worst_latent = testing::max_abs_diff(latents, fx_.at(prefix + "latents_0"));
    double worst_x0 = 0, worst_scale = 0;
    const at::Tensor scales = fx_.at(k + "/scale_model_input_" + std::to_string(steps));
    const std::vector<double> ts = s->timestep_values();
    for (int i = 0; i < steps; ++i) {
      const std::string idx = std::to_string(i);
      const at::Tensor scaled = s->scale_model_input(latents, ts[i]);
      const double factor = (scaled.to(at::kDouble) / latents.to(at::kDouble)).mean().item<double>();
      worst_scale =
          std::max(worst_scale, std::fabs(factor - scales[i].item<double>()) / scales[i].item<double>());
      StepOptions opt;
      if (v.eta_one) opt.eta = 1.0;
      if (v.eta_one || v.cls == "DDPMScheduler") {
        opt.variance_noise = splitmix_input("sched_noise_" + idx, kShape);
        QVERIFY(at::equal(opt.variance_noise, fx_.at("sched_noise_" + idx)));
      }
      const at::Tensor eps = splitmix_input("sched_eps_" + idx, kShape);
      const StepResult r = s->step(eps, ts[i], latents, opt);
      latents = r.prev_sample;
      QCOMPARE(latents.scalar_type(), at::kFloat);
      worst_latent = std::max(
          worst_latent, testing::max_abs_diff(latents, fx_.at(prefix + "latents_" + std::to_string(i + 1))));
      const std::string x0_key = prefix + "pred_original_" + idx;
      QVERIFY(r.pred_original_sample.defined());
      if (fx_.count(x0_key))
        worst_x0 = std::max(worst_x0, testing::max_abs_diff(r.pred_original_sample, fx_.at(x0_key)));
    }
    qInfo("%s: latents max abs diff %.3g, pred_original %.3g (tol %.3g); scale_model_input max rel %.3g",
          prefix.c_str(), worst_latent, worst_x0, tol, worst_scale);
    QVERIFY(worst_latent <= tol);
    QVERIFY(worst_x0 <= tol);
    QVERIFY(worst_scale <= 1e-6);
  }

  void errors() {
    const SchedulerConfig sd15 = SchedulerConfig::from_json(base_, "sd15.json");
    const QString unknown = error_of([&] { make_scheduler(sd15, "heun"); });
    QVERIFY2(unknown.contains("heun") && unknown.contains("ddim") && unknown.contains("dpmpp-2m") &&
                 unknown.contains("EulerDiscreteScheduler"),
             qPrintable(unknown));
    // A file of a class we cannot build (PNDM) needs an explicit sampler.
    QVERIFY(error_of([&] { make_scheduler(sd15); }).contains("PNDMScheduler"));
    for (const std::string& name : {"ddim", "ddpm", "euler", "dpmpp-2m"}) {
      auto s = make_scheduler(sd15, name);
      const QString zero = error_of([&] { s->set_timesteps(0); });
      QVERIFY2(zero.contains("at least 1"), qPrintable(zero));
      const QString many = error_of([&] { s->set_timesteps(1001); });
      QVERIFY2(many.contains("1001") && many.contains("num_train_timesteps"), qPrintable(many));
      s->set_timesteps(1000);  // the limit itself is fine
    }
    auto ddim = make_scheduler(sd15, "ddim");
    QVERIFY(error_of([&] { ddim->step(at::zeros(kShape), 1, at::zeros(kShape)); }).contains("set_timesteps"));
    ddim->set_timesteps(5);
    QVERIFY(error_of([&] { ddim->step(at::zeros(kShape), 1000, at::zeros(kShape)); }).contains("timestep"));
    StepOptions both;
    both.eta = 1;
    both.variance_noise = at::zeros(kShape);
    both.generator = at::make_generator<at::CPUGeneratorImpl>(1);
    QVERIFY(
        error_of([&] { ddim->step(at::zeros(kShape), 801, at::zeros(kShape), both); }).contains("not both"));
  }

  void configRules() {
    // Unknown keys are ignored; absent keys take the class's defaults.
    const SchedulerConfig ddim = config_from(R"({"_class_name": "DDIMScheduler", "made_up_key": [1, 2]})");
    QCOMPARE(ddim.timestep_spacing, std::string("leading"));
    QVERIFY(ddim.clip_sample && ddim.set_alpha_to_one);
    QCOMPARE(ddim.for_class("EulerDiscreteScheduler").timestep_spacing, std::string("linspace"));
    // An override keeps the explicit keys.
    const SchedulerConfig explicit_spacing =
        config_from(R"({"_class_name": "DDIMScheduler", "timestep_spacing": "trailing", "steps_offset": 1})");
    auto dpm = make_scheduler(explicit_spacing, "dpmpp-2m");
    QCOMPARE(dpm->name(), std::string("DPMSolverMultistepScheduler"));
    QCOMPARE(dpm->config().timestep_spacing, std::string("trailing"));
    QCOMPARE(dpm->config().steps_offset, std::int64_t(1));
    // A DDPM file's variance_type means nothing to DPM-Solver; a learned one is refused.
    const SchedulerConfig ddpm =
        config_from(R"({"_class_name": "DDPMScheduler", "variance_type": "fixed_small"})");
    QCOMPARE(make_scheduler(ddpm, "dpmpp-2m")->name(), std::string("DPMSolverMultistepScheduler"));
    QVERIFY(error_of([] {
              make_scheduler(config_from(R"({"variance_type": "learned_range"})"), "dpmpp-2m");
            }).contains("variance_type"));
    // Keys diffusers filled with defaults are not explicit.
    const SchedulerConfig saved = config_from(
        R"({"_class_name": "DDIMScheduler", "timestep_spacing": "leading", "_use_default_values": ["timestep_spacing"]})");
    QCOMPARE(saved.for_class("EulerDiscreteScheduler").timestep_spacing, std::string("linspace"));
    // Wrong types and values name the key.
    QVERIFY(error_of([] { config_from(R"({"beta_start": "0.1"})"); }).contains("beta_start"));
    QVERIFY(error_of([] { config_from(R"({"steps_offset": 1.5})"); }).contains("steps_offset"));
    QVERIFY(error_of([] { config_from(R"({"clip_sample": 1})"); }).contains("clip_sample"));
    QVERIFY(error_of([] { config_from(R"({"prediction_type": "eps"})"); }).contains("prediction_type"));
    QVERIFY(error_of([] { config_from(R"({"timestep_spacing": "even"})"); }).contains("timestep_spacing"));
    QVERIFY(error_of([] { config_from(R"({"trained_betas": [0.1, 0.2]})"); }).contains("trained_betas"));
    const QString thr = error_of([] { make_scheduler(config_from(R"({"thresholding": true})"), "ddim"); });
    QVERIFY2(thr.contains("thresholding") && thr.contains("not supported"), qPrintable(thr));
    // diffusers writes lambda_min_clipped as a bare -Infinity.
    const SchedulerConfig inf = SchedulerConfig::from_json(
        parse_python_json(R"({"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity,
                              "note": "Infinity stays text"})",
                          "dpm.json"),
        "dpm.json");
    QVERIFY(std::isinf(inf.lambda_min_clipped) && inf.lambda_min_clipped < 0);
    QCOMPARE(inf.explicit_keys().at("note").get<std::string>(), std::string("Infinity stays text"));
    // The tiny pipeline's own file loads as DDIM.
    const auto tiny = make_scheduler(SchedulerConfig::from_file(
        testing::fixture("e2e/tiny_sd15_pipeline/scheduler/scheduler_config.json")));
    QCOMPARE(tiny->name(), std::string("DDIMScheduler"));
  }

  void lambdaMinClippedCutsTheTop() {
    json doc = base_;
    doc["lambda_min_clipped"] = -2.0;  // cuts the noisiest timesteps of the SD 1.5 schedule
    auto clipped = make_scheduler(SchedulerConfig::from_json(doc, "x"), "dpmpp-2m");
    clipped->set_timesteps(10);
    auto plain = make_scheduler(SchedulerConfig::from_json(base_, "x"), "dpmpp-2m");
    plain->set_timesteps(10);
    QCOMPARE(plain->timestep_values().front(), 999.0);
    QVERIFY(clipped->timestep_values().front() < 990);
  }

  void generatorNoiseIsReproducible() {
    const SchedulerConfig sd15 = SchedulerConfig::from_json(base_, "sd15.json");
    auto run = [&](std::uint64_t seed) {
      auto s = make_scheduler(sd15, "ddim");
      s->set_timesteps(5);
      StepOptions opt;
      opt.eta = 1.0;
      opt.generator = at::make_generator<at::CPUGeneratorImpl>(seed);
      at::Tensor x = splitmix_input("sched_x", kShape);
      for (double t : s->timestep_values())
        x = s->step(splitmix_input("sched_eps_0", kShape), t, x, opt).prev_sample;
      return x;
    };
    QVERIFY(at::equal(run(7), run(7)));
    QVERIFY(!at::equal(run(7), run(8)));
  }

  void karrasAndOtherSchedules() {
    json doc = base_;
    doc["use_karras_sigmas"] = true;
    for (const std::string& name : {"euler", "dpmpp-2m"}) {
      auto s = make_scheduler(SchedulerConfig::from_json(doc, "karras"), name);
      s->set_timesteps(10);
      const std::vector<double> sig = schedule_values(s->sigmas());
      const std::vector<double> ts = s->timestep_values();
      QCOMPARE(sig.size(), std::size_t(11));
      QCOMPARE(sig.back(), 0.0);
      const double train_max =
          std::sqrt((1 - s->alphas_cumprod()[-1].item<double>()) / s->alphas_cumprod()[-1].item<double>());
      QVERIFY(std::fabs(sig.front() - train_max) < 1e-3 * train_max);
      for (std::size_t i = 1; i < ts.size(); ++i) QVERIFY(ts[i] < ts[i - 1] && sig[i] < sig[i - 1]);
      QVERIFY(ts.front() > 990 && ts.back() < 10);
    }
    // Trailing spacing (SDXL-Turbo / zero-SNR style), and all DDIM spacings for 3 steps.
    json trailing = base_;
    trailing["timestep_spacing"] = "trailing";
    auto ddim = make_scheduler(SchedulerConfig::from_json(trailing, "t"), "ddim");
    ddim->set_timesteps(3);
    QCOMPARE(ddim->timestep_values(), (std::vector<double>{999, 666, 332}));
    json linspace = base_;
    linspace["timestep_spacing"] = "linspace";
    ddim = make_scheduler(SchedulerConfig::from_json(linspace, "l"), "ddim");
    ddim->set_timesteps(4);
    QCOMPARE(ddim->timestep_values(), (std::vector<double>{999, 666, 333, 0}));
    // Zero terminal SNR makes the last alpha tiny but the first Euler sigma finite.
    json zsnr = trailing;
    zsnr["rescale_betas_zero_snr"] = true;
    auto euler = make_scheduler(SchedulerConfig::from_json(zsnr, "z"), "euler");
    euler->set_timesteps(4);
    QVERIFY(std::isfinite(euler->sigmas()[0].item<double>()) && euler->sigmas()[0].item<double>() > 1000);
  }

  void addNoise() {
    const SchedulerConfig sd15 = SchedulerConfig::from_json(base_, "sd15.json");
    const at::Tensor x0 = splitmix_input("sched_x", kShape), noise = splitmix_input("sched_eps_0", kShape);
    auto ddim = make_scheduler(sd15, "ddim");
    ddim->set_timesteps(5);
    const double a = ddim->alphas_cumprod()[601].item<double>();
    QVERIFY(testing::max_abs_diff(ddim->add_noise(x0, noise, 601),
                                  std::sqrt(a) * x0 + std::sqrt(1 - a) * noise) < 1e-6);
    auto euler = make_scheduler(sd15, "euler");
    euler->set_timesteps(5);
    const double sigma = euler->sigmas()[1].item<double>();
    QVERIFY(testing::max_abs_diff(euler->add_noise(x0, noise, euler->timestep_values()[1]),
                                  x0 + sigma * noise) < 1e-5);
  }

 private:
  static std::vector<double> schedule_values(const at::Tensor& t) {
    const at::Tensor d = t.to(at::kDouble).contiguous();
    return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
  }
};

QTEST_APPLESS_MAIN(TestSchedulers)
#include "test_schedulers.moc"
