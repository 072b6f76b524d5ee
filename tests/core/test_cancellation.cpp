// Cancellation and faults (issue #8, item 4), at the engine level: a cancel asked for from the
// progress callback of step k stops generate, story, attend (txt2img with an attention store,
// and inspect_image) and the trainer before UNet call k + 1, reports the run as cancelled and
// keeps the finished work (story frames bit-equal to an uncancelled run's; the trainer's
// checkpoint holds exactly the weights of step k). A fault in one story frame is reported with
// its index and the other frames still render, also when it happens inside a batch of frames.
// UNet calls are counted with RunObserver::on_unet_call (pipelines) and with an attention
// modifier on the first attention layer (the trainer, which has no observer). One CLI case: Ctrl-C
// during a story's second frame writes the first frame and exits 130.
#include <ATen/ATen.h>
#include <signal.h>
#include <sys/types.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/demo/shapes_model_config.h"
#include "core/demo/trainer.h"
#include "core/pipeline/inspect_image.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/story.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

#ifndef STORYSCOPE_CLI
#error "test_cancellation runs storyscope-cli story: it needs STORYSCOPE_CLI"
#endif

using namespace storyscope;
using storyscope::testing::fixture;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Counts UNet calls and cancels once `cancel_at_call` of them have finished (from on_progress,
// as the CLI's Ctrl-C and the GUI's Stop button do); optionally throws while frame `fail_frame`
// runs (from on_progress, i.e. in the middle of that frame's denoising).
class CountingObserver : public StoryObserver {
 public:
  CancellationToken token;
  int cancel_at_call = -1;
  int fail_frame = -1;
  int unet_calls = 0;
  int calls_when_cancelled = -1;
  std::vector<int> finished, failed;

  void on_unet_call(const UNetCall&) override { ++unet_calls; }
  void on_progress(const RunProgress& p) override {
    if (p.frame == fail_frame) throw std::runtime_error("injected fault in frame " + std::to_string(p.frame));
    if (unet_calls == cancel_at_call && calls_when_cancelled < 0) {
      calls_when_cancelled = unet_calls;
      token.cancel();
    }
  }
  void on_frame(const StoryFrame& f) override { finished.push_back(f.index); }
  void on_frame_failed(const StoryFailure& f) override { failed.push_back(f.frame); }
};

StorySpec four_frame_story() {
  StorySpec spec;
  spec.identity = "a red fox";
  spec.frames = {"in the snow", "by a river", "under a tree", "on a hill"};
  spec.steps = 3;
  spec.guidance = 5.0;
  spec.sampler = "euler";
  spec.seed = 11;
  return spec;
}

// Counts every forward of the UNet it is installed on (only on the first attention layer).
class ForwardCounter : public AttentionModifier {
 public:
  explicit ForwardCounter(std::string first_layer) : first_(std::move(first_layer)) {}
  void modify(const AttentionProjections&, const at::Tensor&, const at::Tensor&, const LayerInfo& layer,
              const StepInfo&, AttentionTensors&) override {
    if (layer.name == first_) ++forwards;
  }
  int forwards = 0;

 private:
  std::string first_;
};

// A trainer data source: a black 16x16 image with one half red or blue, captioned so.
class HalvesData : public TrainingDataSource {
 public:
  TrainingBatch batch(std::uint64_t index, int size) const override {
    TrainingBatch b;
    b.images = at::full({size, 3, 16, 16}, -1.0f);
    for (int i = 0; i < size; ++i) {
      const bool red = (index + static_cast<std::uint64_t>(i)) % 2 == 0;
      b.images[i].narrow(2, 0, 8)[red ? 0 : 2].fill_(1.0f);
      b.captions.push_back(red ? "red" : "blue");
    }
    return b;
  }
  std::int64_t image_size() const override { return 16; }
};

std::string write_letter_tokenizer(const fs::path& dir) {
  fs::create_directories(dir);
  json vocab = json::object();
  std::int64_t id = 0;
  for (char c = 'a'; c <= 'z'; ++c) vocab[std::string(1, c)] = id++;
  for (char c = 'a'; c <= 'z'; ++c) vocab[std::string(1, c) + "</w>"] = id++;
  vocab["re"] = id++;
  vocab["<|startoftext|>"] = id++;
  vocab["<|endoftext|>"] = id++;
  write_file_atomically((dir / "vocab.json").string(), vocab.dump());
  write_file_atomically((dir / "merges.txt").string(), "#version: 0.2\nr e\n");
  return dir.string();
}

TrainerOptions tiny_trainer(const fs::path& out, const std::string& tokenizer_dir) {
  const ClipTokenizer tok = ClipTokenizer::from_folder(tokenizer_dir);
  TrainerOptions o;
  o.unet_config = json{{"_class_name", "UNet2DConditionModel"},
                       {"sample_size", 16},
                       {"in_channels", 3},
                       {"out_channels", 3},
                       {"down_block_types", {"CrossAttnDownBlock2D", "DownBlock2D"}},
                       {"up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D"}},
                       {"block_out_channels", {16, 32}},
                       {"layers_per_block", 1},
                       {"norm_num_groups", 8},
                       {"cross_attention_dim", 32},
                       {"attention_head_dim", {1, 2}},
                       {"use_linear_projection", true}};
  o.text_encoder_config = json{{"architectures", {"CLIPTextModel"}},
                               {"vocab_size", static_cast<std::int64_t>(tok.vocab_size())},
                               {"hidden_size", 32},
                               {"intermediate_size", 64},
                               {"num_hidden_layers", 2},
                               {"num_attention_heads", 2},
                               {"max_position_embeddings", 77},
                               {"bos_token_id", tok.bos_id()},
                               {"eos_token_id", tok.eos_id()},
                               {"pad_token_id", tok.pad_id()}};
  o.scheduler_config = shapes_scheduler_config();
  o.tokenizer_dir = tokenizer_dir;
  o.out_dir = out.string();
  o.batch_size = 4;
  o.seed = 3;
  o.steps = 6;
  o.warmup_steps = 2;
  o.checkpoint_every = 0;  // only the checkpoint a cancel (or the end) writes
  o.validate_every = 0;    // validation would add UNet forwards that are not steps
  return o;
}

std::int64_t checkpoint_step(const fs::path& out) {
  return json::parse(read_file((out / "checkpoint" / "state.json").string())).at("step").get<std::int64_t>();
}

}  // namespace

class TestCancellation : public QObject {
  Q_OBJECT

  std::shared_ptr<ModelBundle> sd15_;
  QTemporaryDir tmp_;
  std::vector<StoryFrame> reference_frames_;  // the uncancelled four-frame story

  fs::path dir(const std::string& name) const { return fs::path(tmp_.path().toStdString()) / name; }

  const StoryFrame& reference_frame(int index) const {
    for (const StoryFrame& f : reference_frames_)
      if (f.index == index) return f;
    throw std::runtime_error("no reference frame " + std::to_string(index));
  }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    QVERIFY(tmp_.isValid());
    sd15_ = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
    StoryRunOptions options;
    options.max_batch = 1;
    reference_frames_ = StoryPipeline(sd15_).run(four_frame_story(), options).frames;
    QCOMPARE(reference_frames_.size(), std::size_t(4));
  }

  // generate: cancel after step k of 5 -> k UNet calls (the check runs before each step, so at
  // most the step in progress finishes), cancelled, no image, the latents of step k kept.
  void generateStopsWithinOneStep_data() {
    QTest::addColumn<int>("k");
    for (int k = 1; k <= 5; ++k) QTest::newRow(("k=" + std::to_string(k)).c_str()) << k;
  }
  void generateStopsWithinOneStep() {
    QFETCH(int, k);
    Txt2ImgRequest r;
    r.prompt = "a red fox";
    r.steps = 5;
    r.seed = 4;
    CountingObserver obs;
    obs.cancel_at_call = k;
    const Txt2ImgResult res = Txt2Img(sd15_).run(r, &obs, obs.token);
    QVERIFY(obs.unet_calls <= obs.calls_when_cancelled + 1);
    QCOMPARE(obs.unet_calls, k);
    QCOMPARE(res.steps_done, k);
    // Cancelled after the last step: the run is complete, so it is not reported as cancelled.
    QCOMPARE(res.cancelled, k < 5);
    QCOMPARE(res.images.defined(), k == 5);
    QVERIFY(res.latents.defined());
  }

  // story, one frame per batch: cancel after UNet call k (3 steps a frame) -> k calls, and the
  // k / 3 frames finished by then are returned, identical to the uncancelled run's.
  void storyKeepsFramesFinishedBeforeTheCancel_data() {
    QTest::addColumn<int>("k");
    for (int k : {1, 3, 4, 8}) QTest::newRow(("k=" + std::to_string(k)).c_str()) << k;
  }
  void storyKeepsFramesFinishedBeforeTheCancel() {
    QFETCH(int, k);
    CountingObserver obs;
    obs.cancel_at_call = k;
    StoryRunOptions options;
    options.max_batch = 1;
    const StoryResult r = StoryPipeline(sd15_).run(four_frame_story(), options, &obs, obs.token);
    QCOMPARE(obs.unet_calls, k);
    QVERIFY(r.cancelled);
    const int kept = k / 3;
    QCOMPARE(static_cast<int>(r.frames.size()), kept);
    QCOMPARE(static_cast<int>(obs.finished.size()), kept);
    for (int j = 0; j < kept; ++j) {
      QCOMPARE(r.frames[static_cast<std::size_t>(j)].index, j);
      QVERIFY(at::equal(r.frames[static_cast<std::size_t>(j)].image, reference_frame(j).image));
    }
    QVERIFY(r.failures.empty());
  }

  // Batched frames share their UNet calls: a cancel inside a batch loses that batch only.
  void storyCancelInsideABatch() {
    CountingObserver obs;
    obs.cancel_at_call = 4;  // step 1 of the second batch of two
    StoryRunOptions options;
    options.max_batch = 2;
    const StoryResult r = StoryPipeline(sd15_).run(four_frame_story(), options, &obs, obs.token);
    QCOMPARE(obs.unet_calls, 4);
    QVERIFY(r.cancelled);
    QCOMPARE(r.frames.size(), std::size_t(2));
    QCOMPARE(r.frames[0].index, 0);
    QCOMPARE(r.frames[1].index, 1);
    // Batched frames equal single ones up to the kernels' summation order.
    for (const StoryFrame& f : r.frames)
      QVERIFY(storyscope::testing::max_abs_diff(f.image, reference_frame(f.index).image) < 1e-4);
  }

  // A fault while frame 2 renders: frame 2 is reported by index with the fault's message, the
  // frames before and after it render as in the faultless run; the run is not "cancelled".
  void storyFaultInOneFrameKeepsTheOthers_data() {
    QTest::addColumn<int>("batch");
    QTest::newRow("one frame per batch") << 1;
    // Frames 2 and 3 share a batch: it fails, is retried frame by frame, and only 2 fails.
    QTest::newRow("two frames per batch") << 2;
  }
  void storyFaultInOneFrameKeepsTheOthers() {
    QFETCH(int, batch);
    CountingObserver obs;
    obs.fail_frame = 2;
    StoryRunOptions options;
    options.max_batch = batch;
    const StoryResult r = StoryPipeline(sd15_).run(four_frame_story(), options, &obs, obs.token);
    QVERIFY(!r.cancelled);
    QCOMPARE(r.failures.size(), std::size_t(1));
    QCOMPARE(r.failures[0].frame, 2);
    QVERIFY2(r.failures[0].message.find("injected fault in frame 2") != std::string::npos,
             r.failures[0].message.c_str());
    QCOMPARE(obs.failed, std::vector<int>{2});
    std::vector<int> indices;
    for (const StoryFrame& f : r.frames) {
      indices.push_back(f.index);
      QVERIFY(storyscope::testing::max_abs_diff(f.image, reference_frame(f.index).image) < 1e-4);
    }
    QCOMPARE(indices, (std::vector<int>{0, 1, 3}));
  }

  // attend = txt2img with an attention store on every layer: the records cover exactly the
  // steps that ran before the cancel.
  void attendStopsWithinOneStepAndKeepsItsRecords() {
    const int k = 2;
    const ClipTokenizer& tok = sd15_->tokenizer();
    const Encoding enc = tok.encode("a red fox");
    AttentionStoreOptions so;
    so.set_prompt(enc.ids, enc.tokens, tok.bos_id(), tok.eos_id());
    so.latent_height = so.latent_width = sd15_->default_image_size() / sd15_->vae_scale_factor();
    auto store = std::make_shared<AttentionStore>(so);
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_observer(store);
    sd15_->unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });

    Txt2ImgRequest r;
    r.prompt = "a red fox";
    r.steps = 4;
    CountingObserver obs;
    obs.cancel_at_call = k;
    const Txt2ImgResult res = Txt2Img(sd15_).run(r, &obs, obs.token);
    sd15_->unet()->set_attn_processor([](const LayerInfo&) { return AttentionProcessorPtr(); });
    QVERIFY(res.cancelled);
    QCOMPARE(obs.unet_calls, k);
    const AttentionRecordSet set = store->records();
    QVERIFY(!set.records.empty());
    std::set<int> steps;
    for (const AttentionRecord& rec : set.records) steps.insert(rec.step);
    QCOMPARE(steps, (std::set<int>{0, 1}));
  }

  // attend --image: one UNet call per timestep; a cancel after the first stops before the second.
  void attendOnAnImageStopsWithinOneCall() {
    InspectRequest r;
    const std::int64_t size = sd15_->default_image_size();
    r.image = at::zeros({1, 3, size, size});
    r.prompt = "a red fox";
    r.timesteps = {800, 600, 400};
    CountingObserver obs;
    obs.cancel_at_call = 1;
    const InspectResult res = inspect_image(*sd15_, r, &obs, obs.token);
    QVERIFY(res.cancelled);
    QCOMPARE(obs.unet_calls, 1);
    QCOMPARE(res.steps_done, 1);
    QCOMPARE(res.noise_preds.size(), std::size_t(1));
  }

  // Training: a cancel from the progress callback of step k stops with k steps done (k UNet
  // forwards), reports cancelled, and leaves a checkpoint of step k holding the current weights.
  void trainingStopsWithinOneStepAndCheckpoints_data() {
    QTest::addColumn<int>("k");
    for (int k : {1, 3}) QTest::newRow(("k=" + std::to_string(k)).c_str()) << k;
  }
  void trainingStopsWithinOneStepAndCheckpoints() {
    QFETCH(int, k);
    const fs::path out = dir("train_k" + std::to_string(k));
    const std::string tokenizer = write_letter_tokenizer(dir("tokenizer"));
    DiffusionTrainer trainer(tiny_trainer(out, tokenizer), std::make_shared<HalvesData>());
    const std::vector<LayerInfo> layers = trainer.unet()->attention_layers();
    QVERIFY(!layers.empty());
    auto counter = std::make_shared<ForwardCounter>(layers.front().name);
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_modifier(counter);
    trainer.unet()->set_attn_processor([processor](const LayerInfo&) { return processor; });

    CancellationToken cancel;
    int forwards_when_cancelled = -1;
    const TrainResult r = trainer.train(
        [&](const TrainProgress& p) {
          if (p.step == k) {
            forwards_when_cancelled = counter->forwards;
            cancel.cancel();
          }
        },
        cancel);
    QVERIFY(r.cancelled);
    QCOMPARE(forwards_when_cancelled, k);
    QVERIFY(counter->forwards <= forwards_when_cancelled + 1);
    QCOMPARE(counter->forwards, k);
    QCOMPARE(r.steps_done, std::int64_t(k));
    QCOMPARE(checkpoint_step(out), std::int64_t(k));
    const auto saved = load_safetensors((out / "checkpoint" / "model.safetensors").string());
    const auto current = trainer.named_parameters();
    QCOMPARE(saved.size(), current.size());
    for (const auto& [name, tensor] : current) {
      QVERIFY2(saved.count(name), name.c_str());
      QVERIFY2(at::equal(saved.at(name), tensor.detach().cpu()), name.c_str());
    }
    // One log row per finished step.
    std::ifstream log(trainer.log_path());
    int rows = -1;  // the header
    for (std::string line; std::getline(log, line);) ++rows;
    QCOMPARE(rows, k);
  }

  // The CLI: Ctrl-C while frame 1 (0-based) renders -> exit 130, frame 0 written, frame 1 not.
  void storyCtrlCWritesTheFinishedFrames() {
    const fs::path story = dir("ctrl_c_story.json");
    write_file_atomically(story.string(), json{{"identity", "a red fox"},
                                               {"frames", {"in the snow", "by a river", "under a tree"}},
                                               {"steps", 400},
                                               {"sampler", "ddim"},
                                               {"seed", 2}}
                                              .dump());
    const fs::path out = dir("ctrl_c_out");
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("STORYSCOPE_CONFIG_HOME", QString::fromStdString(dir("config").string()));
    env.insert("OMP_NUM_THREADS", "2");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STORYSCOPE_CLI), {"story", QString::fromStdString(story.string()), "--model",
                                             QString::fromStdString(fixture("e2e/tiny_sd15_pipeline")),
                                             "--batch", "1", "--out", QString::fromStdString(out.string())});
    QVERIFY(p.waitForStarted(30000));
    QString err;
    QElapsedTimer timer;
    timer.start();
    // Progress lines read "frame 2/3 step N/400": frame 0 is finished once frame 2/3 shows.
    while (!err.contains("frame 2/3 step 2/") && timer.elapsed() < 300000 && p.state() == QProcess::Running) {
      p.waitForReadyRead(1000);
      err += QString::fromUtf8(p.readAllStandardError());
    }
    QVERIFY2(err.contains("frame 2/3 step 2/"), qPrintable(err.right(500)));
    QCOMPARE(p.state(), QProcess::Running);
    QVERIFY(::kill(static_cast<pid_t>(p.processId()), SIGINT) == 0);
    QVERIFY2(p.waitForFinished(60000), "story did not stop within 60 s of SIGINT");
    err += QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    QVERIFY2(err.contains("cancelled: 1 finished frames written"), qPrintable(err.right(500)));
    QVERIFY(fs::is_regular_file(out / "frame_00.png"));
    QVERIFY(!fs::exists(out / "frame_01.png"));
    QVERIFY(!fs::exists(out / "frame_02.png"));
  }
};

QTEST_APPLESS_MAIN(TestCancellation)
#include "test_cancellation.moc"
