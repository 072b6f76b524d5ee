// The story pipeline on the tiny SD 1.5 / SDXL pipelines of the fixtures: with every technique
// off a frame is exactly txt2img of its consolidated prompt from the seed's noise; batching
// frames changes nothing beyond rounding; techniques change the frames; cancellation keeps
// finished frames; attention records come per frame; progress names frame and step.
#include <ATen/ATen.h>

#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/story.h"
#include "core/pipeline/txt2img.h"
#include "fixtures.h"

using namespace storyscope;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;

namespace {

StorySpec small_story() {
  StorySpec spec;
  spec.identity = "a red fox";
  spec.frames = {"in the snow", "by a river", "under a tree"};
  spec.steps = 3;
  spec.guidance = 5.0;
  spec.sampler = "euler";
  spec.seed = 7;
  return spec;
}

StorySpec plain(StorySpec spec) {
  spec.svr_mode = SvrMode::Off;
  spec.ipca = false;
  return spec;
}

class Recorder : public StoryObserver {
 public:
  void on_progress(const RunProgress& p) override { progress.push_back(p); }
  void on_frame(const StoryFrame& f) override {
    frames.push_back(f.index);
    if (cancel_after_first) token.cancel();
  }
  std::vector<RunProgress> progress;
  std::vector<int> frames;
  bool cancel_after_first = false;
  CancellationToken token;
};

}  // namespace

class TestStoryPipeline : public QObject {
  Q_OBJECT

  std::shared_ptr<ModelBundle> sd15_, sdxl_;

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    sd15_ = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sd15_pipeline"));
    sdxl_ = ModelBundle::load_diffusers_folder(fixture("e2e/tiny_sdxl_pipeline"));
  }

  void frameNoiseIsTheSeedsNoise() {
    StorySpec spec = small_story();
    const at::Tensor n0 = story_frame_noise(spec, 0, 4, 16, 16);
    QVERIFY(at::equal(n0, seeded_noise(spec.seed, 1, 4, 16, 16)));
    QVERIFY(at::equal(story_frame_noise(spec, 2, 4, 16, 16), n0));
    spec.same_noise = false;
    QVERIFY(at::equal(story_frame_noise(spec, 2, 4, 16, 16), seeded_noise(spec.seed + 2, 1, 4, 16, 16)));
    QVERIFY(!at::equal(story_frame_noise(spec, 2, 4, 16, 16), n0));
  }

  // Every technique off: frame j is txt2img of "P0 + window prompts", bit for bit.
  void offIsTxt2ImgOfTheConsolidatedPrompt() {
    const StorySpec spec = plain(small_story());
    StoryRunOptions options;
    options.max_batch = 1;
    const StoryResult story = StoryPipeline(sd15_).run(spec, options);
    QCOMPARE(static_cast<int>(story.frames.size()), 3);
    QCOMPARE(story.window_size, 3);
    for (const StoryFrame& f : story.frames) {
      // circular window: frame j first, then the following frames mod N.
      std::string prompt = spec.identity;
      for (int k = 0; k < 3; ++k) prompt += " " + spec.frames[static_cast<std::size_t>((f.index + k) % 3)];
      QCOMPARE(QString::fromStdString(f.prompt), QString::fromStdString(prompt));
      Txt2ImgRequest r;
      r.prompt = prompt;
      r.negative = spec.negative;
      r.steps = spec.steps;
      r.guidance = spec.guidance;
      r.sampler = spec.sampler;
      r.seed = spec.seed;
      const Txt2ImgResult ref = Txt2Img(sd15_).run(r);
      QVERIFY2(at::equal(f.image, ref.images), ("frame " + std::to_string(f.index)).c_str());
    }
  }

  void batchedFramesEqualSingleFrames() {
    StorySpec spec = small_story();
    StoryRunOptions one, three;
    one.max_batch = 1;
    three.max_batch = 3;
    const StoryResult a = StoryPipeline(sd15_).run(spec, one);
    const StoryResult b = StoryPipeline(sd15_).run(spec, three);
    QCOMPARE(b.batch, 3);
    QCOMPARE(a.frames.size(), b.frames.size());
    for (std::size_t i = 0; i < a.frames.size(); ++i) {
      const double d = max_abs_diff(a.frames[i].image, b.frames[i].image);
      qInfo("frame %zu: batched vs single max abs %.3g", i, d);
      QVERIFY(d < 1e-4);
    }
  }

  void techniquesChangeTheFrames() {
    StoryRunOptions options;
    options.max_batch = 3;
    const StoryResult off = StoryPipeline(sd15_).run(plain(small_story()), options);
    StorySpec svr_only = small_story();
    svr_only.ipca = false;
    const StoryResult svr = StoryPipeline(sd15_).run(svr_only, options);
    const StoryResult both = StoryPipeline(sd15_).run(small_story(), options);
    for (std::size_t i = 0; i < off.frames.size(); ++i) {
      QVERIFY(at::isfinite(both.frames[i].image).all().item<bool>());
      QVERIFY(max_abs_diff(off.frames[i].image, svr.frames[i].image) > 1e-5);
      QVERIFY(max_abs_diff(svr.frames[i].image, both.frames[i].image) > 1e-5);
    }
  }

  void ipcaWithUnconditionalOnly() {
    // CFG 1: IPCA acts on the single conditional batch.
    StorySpec spec = small_story();
    spec.guidance = 1.0;
    const StoryResult with = StoryPipeline(sd15_).run(spec);
    spec.ipca = false;
    const StoryResult without = StoryPipeline(sd15_).run(spec);
    QCOMPARE(with.frames.size(), std::size_t(3));
    QVERIFY(max_abs_diff(with.frames[0].image, without.frames[0].image) > 1e-5);
  }

  void progressNamesFrameAndStep() {
    Recorder rec;
    StoryRunOptions options;
    options.max_batch = 1;
    StoryPipeline(sd15_).run(small_story(), options, &rec);
    QCOMPARE(static_cast<int>(rec.progress.size()), 3 * 3);
    QCOMPARE(rec.progress.front().frame, 0);
    QCOMPARE(rec.progress.back().frame, 2);
    QCOMPARE(rec.progress.back().frames, 3);
    QCOMPARE(rec.progress.back().step, 3);
    QCOMPARE(rec.progress.back().total, 3);
    QCOMPARE(rec.frames, (std::vector<int>{0, 1, 2}));
  }

  void cancelKeepsFinishedFrames() {
    Recorder rec;
    rec.cancel_after_first = true;
    StoryRunOptions options;
    options.max_batch = 1;
    const StoryResult r = StoryPipeline(sd15_).run(small_story(), options, &rec, rec.token);
    QVERIFY(r.cancelled);
    QCOMPARE(r.frames.size(), std::size_t(1));
    QCOMPARE(r.frames.front().index, 0);
  }

  void attentionRecordsPerFrame() {
    StoryRunOptions options;
    options.record_attention = true;
    options.frames = {1, 2};
    const StoryResult r = StoryPipeline(sd15_).run(small_story(), options);
    QCOMPARE(r.frames.size(), std::size_t(2));
    QCOMPARE(r.frames[0].index, 1);
    for (const StoryFrame& f : r.frames) {
      QVERIFY(!f.records.records.empty());
      // One recorded key per real token of the consolidated prompt.
      const auto n = static_cast<std::int64_t>(sd15_->tokenizer().encode(f.prompt).ids.size()) - 2;
      QCOMPARE(static_cast<std::int64_t>(f.records.tokens.size()), n);
      // Frames recorded steps 0..2 (3 steps).
      int last_step = -1;
      for (const auto& rec : f.records.records) last_step = std::max(last_step, rec.step);
      QCOMPARE(last_step, 2);
    }
  }

  void badFrameIndexIsAnError() {
    StoryRunOptions options;
    options.frames = {5};
    try {
      StoryPipeline(sd15_).run(small_story(), options);
      QFAIL("expected an error");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("frame 5") != std::string::npos);
    }
  }

  void sdxlStoryRuns() {
    StorySpec spec = small_story();
    spec.steps = 2;
    StoryRunOptions options;
    options.max_batch = 2;
    const StoryResult r = StoryPipeline(sdxl_).run(spec, options);
    QCOMPARE(r.frames.size(), std::size_t(3));
    for (const StoryFrame& f : r.frames) QVERIFY(at::isfinite(f.image).all().item<bool>());
    // Off on SDXL equals txt2img of the consolidated prompt too.
    StoryRunOptions single;
    single.max_batch = 1;
    single.frames = {0};
    const StoryResult off = StoryPipeline(sdxl_).run(plain(spec), single);
    Txt2ImgRequest req;
    req.prompt = off.frames[0].prompt;
    // An empty story negative means "no negative" (SDXL then uses zeros, as its pipeline does).
    req.steps = spec.steps;
    req.guidance = spec.guidance;
    req.sampler = spec.sampler;
    req.seed = spec.seed;
    QVERIFY(at::equal(off.frames[0].image, Txt2Img(sdxl_).run(req).images));
  }
};

QTEST_APPLESS_MAIN(TestStoryPipeline)
#include "test_story_pipeline.moc"
