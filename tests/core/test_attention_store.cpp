// Composable attention processors and the AttentionStore: observing never changes the UNet
// output, observers see the reference probabilities (tiny_unet fixture), modifiers compose; the
// store records the conditional half of a real txt2img run (tiny SD1.5 e2e pipeline), stays
// within its byte budget by pooling or spilling without dropping anything, and its records
// round-trip through records.safetensors + records.json.
#include <ATen/ATen.h>
#include <torch/nn.h>
#include <unistd.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/attention/records_file.h"
#include "core/common/error.h"
#include "core/config/unet_config.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "core/tensor/state_dict.h"
#include "fixtures.h"
#include "unet_testing.h"

using namespace storyscope;
using namespace storyscope::unet_testing;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

class Recorder : public AttentionObserver {
 public:
  explicit Recorder(std::function<bool(const LayerInfo&)> want) : want_(std::move(want)) {}
  bool wants(const LayerInfo& l) const override { return want_(l); }
  void observe(const LayerInfo& l, const StepInfo& s, const at::Tensor& probs) override {
    order.push_back(l.name);
    steps.push_back(s);
    seen[l.name + "@" + std::to_string(s.index)] = probs.clone();
  }
  std::vector<std::string> order;
  std::vector<StepInfo> steps;
  std::map<std::string, at::Tensor> seen;

 private:
  std::function<bool(const LayerInfo&)> want_;
};

// Appends `extra` keys/values (copies of the first ones) to cross-attention, masked out with -inf.
class AppendMasked : public AttentionModifier {
 public:
  int extra = 3;
  void modify(const AttentionProjections&, const at::Tensor&, const at::Tensor& context,
              const LayerInfo& layer, const StepInfo&, AttentionTensors& t) override {
    if (!layer.is_cross) return;
    const auto m = t.k.size(2);
    t.k = at::cat({t.k, t.k.slice(2, 0, extra)}, 2);
    t.v = at::cat({t.v, t.v.slice(2, 0, extra)}, 2);
    auto bias = at::zeros({1, 1, 1, m + extra}, t.q.options());
    bias.slice(3, m).fill_(-std::numeric_limits<double>::infinity());
    t.bias = bias;
  }
};

class ConstantExtra : public AttentionModifier {
 public:
  double value = 0.0;
  at::Tensor extra_output(const AttentionProjections&, const at::Tensor& hidden, const at::Tensor&,
                          const LayerInfo&, const StepInfo&, const AttentionTensors& t) override {
    return at::full({t.q.size(0), t.q.size(2), t.q.size(1) * t.q.size(3)}, value, t.q.options());
  }
};

UNet2DConditionModel tiny_unet() {
  auto model =
      UNet2DConditionModel(UNetConfig::from_json(manifest_case("tiny_unet").at("config"), "tiny_unet"));
  fill_splitmix(*model);
  return model;
}

at::Tensor reference_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                               const at::Tensor& bias) {
  auto s = at::matmul(q.to(at::kDouble), k.to(at::kDouble).transpose(-1, -2)) * scale + bias.to(at::kDouble);
  return at::matmul(at::softmax(s, -1), v.to(at::kDouble));
}

const json& e2e_case(const std::string& name) {
  static const json doc = parse_python_json(read_file(fixture("e2e/manifest.json")), "e2e/manifest.json");
  for (const auto& p : doc.at("pipelines"))
    if (p.at("name") == "tiny_sd15_pipeline")
      for (const auto& c : p.at("cases"))
        if (c.at("case") == name) return c;
  throw std::runtime_error("no e2e case " + name);
}

std::string temp_dir(const std::string& tag) {
  const auto dir =
      fs::temp_directory_path() / ("storyscope-test-store-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

class TestAttentionStore : public QObject {
  Q_OBJECT
  std::shared_ptr<ModelBundle> bundle_;
  Txt2ImgRequest request_;
  at::Tensor plain_latents_;       // the run with default processors
  AttentionRecordSet unbudgeted_;  // a store with prompt_options() and the default budget

  struct StoreRun {
    Txt2ImgResult result;
    std::shared_ptr<AttentionStore> store;
    std::shared_ptr<Recorder> raw;
    std::shared_ptr<ComposableAttentionProcessor> proc;
  };

  AttentionStoreOptions prompt_options() {
    const auto ids = bundle_->tokenizer().encode_padded(request_.prompt);
    std::vector<std::string> tokens;
    for (const auto id : ids) tokens.push_back(bundle_->tokenizer().token_of(id));
    AttentionStoreOptions o;
    o.set_prompt(ids, tokens, bundle_->tokenizer().bos_id(), bundle_->tokenizer().eos_id());
    return o;
  }

  StoreRun run_with_store(AttentionStoreOptions options, bool raw_capture = false) {
    StoreRun r;
    r.store = std::make_shared<AttentionStore>(std::move(options));
    r.proc = std::make_shared<ComposableAttentionProcessor>();
    r.proc->add_observer(r.store);
    if (raw_capture) {
      r.raw = std::make_shared<Recorder>(
          [](const LayerInfo& l) { return l.name == "mid_block.attentions.0.transformer_blocks.0.attn2"; });
      r.proc->add_observer(r.raw);
    }
    auto proc = r.proc;
    bundle_->unet()->set_attn_processor([proc](const LayerInfo&) { return proc; });
    r.result = Txt2Img(bundle_).run(request_);
    bundle_->unet()->set_attn_processor(nullptr);
    return r;
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    bundle_ = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
    const json& c = e2e_case("ddim_cfg7.5");
    const json& call = c.at("call");
    request_.prompt = call.at("prompt").get<std::string>();
    request_.negative = call.at("negative_prompt").get<std::string>();
    request_.steps = call.at("num_inference_steps").get<int>();
    request_.guidance = call.at("guidance_scale").get<double>();
    request_.width = call.at("width").get<std::int64_t>();
    request_.height = call.at("height").get<std::int64_t>();
    request_.sampler = c.at("scheduler").at("class").get<std::string>();
    request_.init_latents = SafetensorsFile::open(fixture("e2e/" + c.at("file").get<std::string>()))
                                ->tensor("latents_passed")
                                .clone();
    plain_latents_ = Txt2Img(bundle_).run(request_).latents;
    unbudgeted_ = run_with_store(prompt_options()).store->records();
  }

  void kernelBiasMatchesReference() {
    at::manual_seed(3);
    const double scale = 0.125;
    auto q = at::randn({2, 3, 300, 16}), k = at::randn({2, 3, 40, 16}), v = at::randn({2, 3, 40, 8});
    auto mask = at::zeros({2, 1, 1, 40});
    mask.slice(3, 30).fill_(-std::numeric_limits<double>::infinity());
    const std::vector<at::Tensor> biases{mask, at::randn({1, 3, 300, 40}), at::randn({2, 3, 1, 40})};
    for (const auto& bias : biases) {
      const auto ref = reference_attention(q, k, v, scale, bias);
      double blocked, batched;
      {
        at::NoGradGuard no_grad;
        blocked = max_abs_diff(attention_kernel(q, k, v, scale, 1024, bias), ref);
      }
      // requires_grad takes the batched path; a chunk of 64 splits the queries.
      auto qg = q.clone().requires_grad_();
      batched = max_abs_diff(attention_kernel(qg, k, v, scale, 64, bias).detach(), ref);
      const auto probs = attention_probabilities(q, k, scale, bias);
      const double p = max_abs_diff(at::matmul(probs, v), ref);
      qInfo("bias %s: blocked %.3g batched %.3g probabilities %.3g (tolerance 1e-5)",
            shape_to_string(bias.sizes().vec()).c_str(), blocked, batched, p);
      QVERIFY(blocked < 1e-5 && batched < 1e-5 && p < 1e-5);
    }
  }

  void noObserversIsBitIdentical() {
    torch::NoGradGuard no_grad;
    auto model = tiny_unet();
    const auto in = load_safetensors(fixture("tiny_unet.safetensors"));
    const auto plain =
        model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"));
    auto proc = std::make_shared<ComposableAttentionProcessor>();
    model->set_attn_processor([proc](const LayerInfo&) { return proc; });
    const auto ours = model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"));
    QVERIFY(at::equal(plain, ours));
    QCOMPARE(proc->fast_calls(), static_cast<std::int64_t>(model->attention_layers().size()));
    QCOMPARE(proc->observed_calls(), std::int64_t(0));

    // An extra output of zeros changes nothing; a non-zero one does.
    auto extra = std::make_shared<ConstantExtra>();
    proc->add_modifier(extra);
    QVERIFY(at::equal(
        plain, model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"))));
    extra->value = 0.1;
    QVERIFY(!at::equal(
        plain, model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"))));
  }

  void observerSeesFixtureProbabilities() {
    torch::NoGradGuard no_grad;
    auto model = tiny_unet();
    const auto in = load_safetensors(fixture("tiny_unet.safetensors"));
    const auto plain =
        model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"));
    auto proc = std::make_shared<ComposableAttentionProcessor>();
    auto rec = std::make_shared<Recorder>([](const LayerInfo& l) { return l.is_cross; });
    proc->add_observer(rec);
    model->set_attn_processor([proc](const LayerInfo&) { return proc; });
    const auto ours = model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"));
    QVERIFY(at::equal(plain, ours));  // observing never changes the output

    const auto& ap = manifest_case("tiny_unet").at("attention_probs");
    const double tol = manifest().at("attention_probs_suggested_tolerance").at("attn_probs/*").at("max_abs");
    std::vector<std::string> expected;
    for (const auto& p : ap.at("forward_order")) {
      const auto proc_name = p.get<std::string>();
      expected.push_back(proc_name.substr(0, proc_name.size() - std::string(".processor").size()));
    }
    QCOMPARE(rec->order, expected);
    double worst = 0;
    for (const auto& layer : expected) {
      const auto probs = rec->seen.at(layer + "@-1");  // [B, heads, N, M]
      const int heads = ap.at("heads_per_layer").at(layer + ".processor").get<int>();
      const auto flat = probs.reshape({-1, probs.size(2), probs.size(3)});
      QCOMPARE(flat.sizes().vec(),
               ap.at("full_shape_per_layer").at(layer + ".processor").get<std::vector<std::int64_t>>());
      const double d = max_abs_diff(flat.slice(0, 0, heads), in.at("attn_probs/" + layer + ".processor"));
      worst = std::max(worst, d);
      QVERIFY2(d <= tol, layer.c_str());
    }
    qInfo("observed attn_probs vs fixture: worst max abs diff %.3g (tolerance %.3g) over %zu layers", worst,
          tol, expected.size());
    const auto layers = model->attention_layers();
    const auto cross =
        std::count_if(layers.begin(), layers.end(), [](const LayerInfo& l) { return l.is_cross; });
    QCOMPARE(proc->observed_calls(), static_cast<std::int64_t>(cross));
    QCOMPARE(proc->fast_calls(), static_cast<std::int64_t>(layers.size() - cross));
  }

  void modifiersAndObserversCompose() {
    torch::NoGradGuard no_grad;
    auto model = tiny_unet();
    const auto in = load_safetensors(fixture("tiny_unet.safetensors"));
    const auto plain =
        model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"));
    auto proc = std::make_shared<ComposableAttentionProcessor>();
    auto append = std::make_shared<AppendMasked>();
    auto rec = std::make_shared<Recorder>(
        [](const LayerInfo& l) { return l.name.rfind("mid_block", 0) == 0 && l.is_cross; });
    proc->add_modifier(append);
    proc->add_observer(rec);
    model->set_attn_processor([proc](const LayerInfo&) { return proc; });
    const auto ours = model->forward(in.at("sample"), in.at("timestep_t500"), in.at("encoder_hidden_states"));
    // The appended keys are masked out: same result up to the bias path's rounding.
    const double d = max_abs_diff(ours, plain);
    qInfo("masked appended keys vs plain: max abs diff %.3g (tolerance 1e-5)", d);
    QVERIFY(d < 1e-5);
    QCOMPARE(rec->seen.size(), std::size_t(1));
    const auto probs = rec->seen.begin()->second;
    QCOMPARE(probs.size(3), std::int64_t(77 + append->extra));  // the observer sees what the modifier made
    QCOMPARE(probs.slice(3, 77).abs().max().item<double>(), 0.0);
    QVERIFY(max_abs_diff(probs.sum(-1), at::ones_like(probs.sum(-1))) < 1e-5);
  }

  void promptTokenLayout() {
    const auto l = prompt_token_layout({49406, 320, 736, 49407, 49407, 49407}, 49406, 49407);
    QCOMPARE(l.sot, std::int64_t(0));
    QCOMPARE(l.real, (std::vector<std::int64_t>{1, 2}));
    QCOMPARE(l.eot, std::int64_t(3));
    const auto pad0 = prompt_token_layout({49406, 320, 49407, 0, 0}, 49406, 49407);  // SD2 pads with "!"
    QCOMPARE(pad0.real, (std::vector<std::int64_t>{1}));
    QCOMPARE(pad0.eot, std::int64_t(2));
  }

  void storeRecordsTheConditionalHalf() {
    auto options = prompt_options();
    options.include_sot = true;
    options.include_eot = true;
    const auto n_real = static_cast<std::int64_t>(options.token_positions.size());
    QVERIFY(n_real > 0);
    StoreRun run = run_with_store(options, /*raw_capture=*/true);
    // Observing does not change a single bit of the run.
    QVERIFY(at::equal(run.result.latents, plain_latents_));

    const AttentionRecordSet set = run.store->records();
    QVERIFY(run.store->warnings().empty());
    QVERIFY(set.notes.empty());
    QCOMPARE(set.records.size(), std::size_t(3 * 6));  // 3 steps x 6 cross layers x 1 conditional row
    QCOMPARE(static_cast<std::int64_t>(set.token_positions.size()), n_real + 2);
    QCOMPARE(set.token_positions.front(), std::int64_t(0));
    QCOMPARE(set.tokens.front(), std::string("<|startoftext|>"));
    QCOMPARE(set.tokens.back(), std::string("<|endoftext|>"));
    QCOMPARE(set.latent_height, std::int64_t(16));
    const auto timesteps = run.result.timesteps;
    double worst = 0;
    for (const auto& r : set.records) {
      QVERIFY(r.is_cross && !r.per_head && r.batch_row == 0);
      QCOMPARE(r.probs.scalar_type(), at::kHalf);
      QCOMPARE(r.probs.sizes().vec(), (std::vector<std::int64_t>{n_real + 2, r.height * r.width}));
      QCOMPARE(r.height, r.native_height);
      QVERIFY(r.height == 16 || (r.place == Place::Mid && r.height == 8));
      QCOMPARE(r.timestep, timesteps[r.step].item<double>());
      // Probabilities over a subset of the keys: sums <= 1 (plus fp16 rounding).
      QVERIFY(r.probs.to(at::kFloat).sum(0).max().item<double>() <= 1.0 + 2e-3);
      QVERIFY(r.probs.to(at::kFloat).min().item<double>() >= 0.0);
      if (r.place != Place::Mid) continue;
      // The conditional half is row 1 of [uncond; cond]: head mean, kept keys, [keys, h*w].
      const auto raw = run.raw->seen.at(r.layer + "@" + std::to_string(r.step));
      QCOMPARE(raw.size(0), std::int64_t(2));
      const auto want = raw[1].mean(0).index_select(1, at::tensor(set.token_positions, at::kLong)).t();
      const double d = max_abs_diff(r.probs, want);
      worst = std::max(worst, d);
      const auto uncond = raw[0].mean(0).index_select(1, at::tensor(set.token_positions, at::kLong)).t();
      QVERIFY(max_abs_diff(r.probs, uncond) > 1e-3);  // not the unconditional row
    }
    qInfo("mid-block records vs head mean of the raw cond probabilities: max abs %.3g (tolerance 1e-3, fp16)",
          worst);
    QVERIFY(worst <= 1e-3);
    // Raw capture saw the StepInfo the pipeline filled.
    QCOMPARE(run.raw->steps.front().cond_rows, (std::vector<std::int64_t>{1}));
  }

  void storeBudgetPoolsOlderSteps() {
    auto options = prompt_options();
    const auto& all = unbudgeted_;
    std::int64_t per_step = 0;
    for (const auto& r : all.records)
      if (r.step == 0) per_step += r.probs.numel() * 2;
    options.byte_budget = per_step + per_step / 2;  // 1.5 steps
    StoreRun run = run_with_store(options);
    QVERIFY(at::equal(run.result.latents, plain_latents_));
    const auto set = run.store->records();
    QCOMPARE(set.records.size(), all.records.size());  // nothing dropped
    QVERIFY(!set.notes.empty());
    QVERIFY(!run.store->warnings().empty());
    qInfo("budget %lld bytes, resident %lld; notes: %s | warning: %s",
          static_cast<long long>(options.byte_budget), static_cast<long long>(run.store->resident_bytes()),
          set.notes.front().c_str(), run.store->warnings().front().c_str());
    QVERIFY(run.store->resident_bytes() <= options.byte_budget);
    double worst = 0;
    for (std::size_t i = 0; i < set.records.size(); ++i) {
      const auto& r = set.records[i];
      const auto& native = all.records[i];
      QCOMPARE(r.layer, native.layer);
      QCOMPARE(r.step, native.step);
      QCOMPARE(r.native_height, native.height);
      if (r.step == 2) {
        QVERIFY(at::equal(r.probs, native.probs));  // the newest step stays native
        continue;
      }
      QVERIFY2(r.height < native.height, r.layer.c_str());
      QCOMPARE(r.probs.size(1), r.height * r.width);
      // Pooling = mean over 2x2 cells of the native map, repeated.
      auto x = native.probs.to(at::kFloat).view({-1, native.height, native.width});
      while (x.size(1) > r.height) x = at::avg_pool2d(x, {2, 2}, {2, 2}, {0, 0}, true, false);
      worst = std::max(worst, max_abs_diff(r.probs, x.reshape({x.size(0), -1})));
    }
    qInfo("pooled records vs pooled native maps: max abs %.3g (tolerance 2e-3, fp16 re-rounding)", worst);
    QVERIFY(worst <= 2e-3);
  }

  void storeBudgetSpills() {
    auto options = prompt_options();
    const auto& all = unbudgeted_;
    const std::string dir = temp_dir("spill");
    options.byte_budget = 20000;
    options.overflow = OverflowPolicy::Spill;
    options.spill_path = dir;
    StoreRun run = run_with_store(options);
    QVERIFY(at::equal(run.result.latents, plain_latents_));
    const auto set = run.store->records();
    QVERIFY(fs::exists(fs::path(dir) / "spill_000.safetensors"));
    QVERIFY(!set.notes.empty() && !run.store->warnings().empty());
    qInfo("spill note: %s", set.notes.front().c_str());
    QCOMPARE(set.records.size(), all.records.size());
    int spilled = 0;
    for (std::size_t i = 0; i < set.records.size(); ++i) {
      QVERIFY(at::equal(set.records[i].probs, all.records[i].probs));  // merged back exactly
      QCOMPARE(set.records[i].height, all.records[i].height);
      spilled += !set.records[i].spill_file.empty();
    }
    QVERIFY(spilled > 0);
    QVERIFY(run.store->resident_bytes() <= options.byte_budget);
    // The records (spilled ones included) save like any.
    const std::string out = temp_dir("spill-save");
    save_attention_records(set, out);
    QCOMPARE(load_attention_records(out).records.size(), set.records.size());
    fs::remove_all(dir);
    fs::remove_all(out);
  }

  void recordsRoundTrip() {
    auto options = prompt_options();
    options.include_eot = true;
    options.self_attention_resolutions = {8};
    options.per_head = true;
    StoreRun run = run_with_store(options);
    AttentionRecordSet set = run.store->records();
    set.notes.push_back("a note");
    QVERIFY(std::any_of(set.records.begin(), set.records.end(),
                        [](const AttentionRecord& r) { return !r.is_cross; }));
    const std::string dir = temp_dir("roundtrip");
    save_attention_records(set, dir);
    const AttentionRecordSet back = load_attention_records(dir);
    QCOMPARE(back.tokens, set.tokens);
    QCOMPARE(back.token_positions, set.token_positions);
    QCOMPARE(back.token_ids, set.token_ids);
    QCOMPARE(back.latent_height, set.latent_height);
    QCOMPARE(back.latent_width, set.latent_width);
    QCOMPARE(back.notes, set.notes);
    QCOMPARE(back.records.size(), set.records.size());
    for (std::size_t i = 0; i < set.records.size(); ++i) {
      const auto &a = set.records[i], &b = back.records[i];
      QCOMPARE(b.layer, a.layer);
      QCOMPARE(b.place, a.place);
      QCOMPARE(b.block_index, a.block_index);
      QCOMPARE(b.is_cross, a.is_cross);
      QCOMPARE(b.height, a.height);
      QCOMPARE(b.width, a.width);
      QCOMPARE(b.native_height, a.native_height);
      QCOMPARE(b.native_width, a.native_width);
      QCOMPARE(b.step, a.step);
      QCOMPARE(b.timestep, a.timestep);
      QCOMPARE(b.batch_row, a.batch_row);
      QCOMPARE(b.per_head, a.per_head);
      QVERIFY(at::equal(b.probs, a.probs));
    }
    // What Python sees: one tensor per index entry, under the documented name.
    const auto file = SafetensorsFile::open(dir + "/records.safetensors");
    QVERIFY(file->contains("step000/down_blocks.0.attentions.0.transformer_blocks.0.attn2/row0"));
    QVERIFY(file->contains("step002/mid_block.attentions.0.transformer_blocks.0.attn1/row0"));
    QCOMPARE(file->entries().size(), set.records.size());
    fs::remove_all(dir);
  }

  void corruptedIndexNamesTheFile() {
    auto options = prompt_options();
    StoreRun run = run_with_store(options);
    const std::string dir = temp_dir("corrupt");
    save_attention_records(run.store->records(), dir);
    const std::string index_path = dir + "/records.json";
    const std::string good = read_file(index_path);
    const auto with_index = [&](const std::function<void(json&)>& edit) {
      json doc = json::parse(good);
      edit(doc);
      std::ofstream(index_path) << doc.dump();
      return error_text([&] { load_attention_records(dir); });
    };
    const auto expect = [](const std::string& err, const std::string& file, const std::string& what) {
      qInfo("%s", err.c_str());
      QVERIFY2(err.find(file) != std::string::npos, err.c_str());
      QVERIFY2(err.find(what) != std::string::npos, err.c_str());
    };
    expect(with_index([](json& d) { d["records"][4]["tensor"] = "step009/nothing/row0"; }),
           "records.safetensors", "record 4");
    expect(with_index([](json& d) { d["records"][2]["shape"] = {3, 3}; }), "records.safetensors", "record 2");
    expect(with_index([](json& d) { d["records"][1]["size"] = {4, 4}; }), "records.json", "record 1");
    expect(with_index([](json& d) { d["records"][3].erase("step"); }), "records.json", "record 3");
    expect(with_index([](json& d) { d["format_version"] = 99; }), "records.json", "format_version");
    std::ofstream(index_path) << "{ not json";
    expect(error_text([&] { load_attention_records(dir); }), "records.json", "");
    fs::remove_all(dir);
  }

  void truncatedRecordsFileNamesTheFile() {
    StoreRun run = run_with_store(prompt_options());
    const std::string dir = temp_dir("truncated");
    save_attention_records(run.store->records(), dir);
    const std::string tensors_path = dir + "/records.safetensors";
    const auto size = fs::file_size(tensors_path);
    for (const std::uintmax_t cut : {size - 1, size / 2, std::uintmax_t{12}, std::uintmax_t{0}}) {
      fs::resize_file(tensors_path, cut);
      const std::string err = error_text([&] { load_attention_records(dir); });
      qInfo("cut to %llu bytes: %s", static_cast<unsigned long long>(cut), err.c_str());
      QVERIFY2(err.find("records.safetensors") != std::string::npos, err.c_str());
    }
    fs::remove_all(dir);
  }

  void cleanupTestCase() { bundle_.reset(); }
};

QTEST_APPLESS_MAIN(TestAttentionStore)
#include "test_attention_store.moc"
