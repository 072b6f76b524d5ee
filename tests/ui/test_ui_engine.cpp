// The EngineWorker through its EngineClient, as the main window uses it: load the tiny SD 1.5
// pipeline, run stories, collect per-step previews and records, cancel, and turn every failure
// into an error signal. Frames are compared byte for byte with the engine run directly.
#include <ATen/ATen.h>

#include <QSignalSpy>
#include <QtTest>

#include "core/config/model_family.h"
#include "core/pipeline/model_loader.h"
#include "core/pipeline/story.h"
#include "ui/engine_client.h"
#include "ui/tensor_qimage.h"
#include "ui_test_support.h"

using namespace storyscope;
using namespace storyscope::ui;
using storyscope::testing::tiny_model;
using storyscope::testing::tiny_story;

namespace {

std::vector<FramePtr> frames_from(const QSignalSpy& spy) {
  std::vector<FramePtr> out;
  for (const QList<QVariant>& args : spy) out.push_back(args.at(0).value<FramePtr>());
  return out;
}

double mean_abs_difference(const QImage& a, const QImage& b) {
  double sum = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x) {
      const QRgb p = a.pixel(x, y), q = b.pixel(x, y);
      sum += std::abs(qRed(p) - qRed(q)) + std::abs(qGreen(p) - qGreen(q)) + std::abs(qBlue(p) - qBlue(q));
    }
  return sum / (3.0 * a.width() * a.height());
}

}  // namespace

class TestUiEngine : public QObject {
  Q_OBJECT
  EngineClient* client_ = nullptr;

  void load(EngineClient& client) {
    QSignalSpy loaded(client.worker(), &EngineWorker::modelLoaded);
    ModelRequest r;
    r.path = tiny_model();
    QVERIFY(client.loadModel(r));
    QVERIFY(client.busy());
    QTRY_VERIFY_WITH_TIMEOUT(!client.busy(), 60000);
    QCOMPARE(loaded.count(), 1);
  }

 private slots:
  void initTestCase() {
    storyscope::testing::isolate_user_state();
    at::set_num_threads(1);
    client_ = new EngineClient(this);
    load(*client_);
  }

  // `finished` comes just before the worker reports the task done: wait for idle between tests.
  void cleanup() { QTRY_VERIFY_WITH_TIMEOUT(!client_->busy(), 60000); }

  void modelInfoDescribesTheLoadedModel() {
    const ModelInfo& info = client_->modelInfo();
    QVERIFY(client_->hasModel());
    auto bundle = load_model(ModelLocation{tiny_model().toStdString(), "", ""});
    QCOMPARE(info.family, QString::fromLatin1(family_name(bundle->family())));  // the tiny model: "unknown"
    QCOMPARE(info.default_size, static_cast<int>(bundle->default_image_size()));
    QVERIFY(info.tokenizers);
    QCOMPARE(info.tokenizers->size(), std::size_t{1});
    QCOMPARE(info.tokenizers->front().encode("a fox").ids, bundle->tokenizer().encode("a fox").ids);
  }

  // Frames, previews and records of a 2-step run, and the same bytes as the engine's own run.
  void runDeliversFramesLikeTheEngine() {
    const StorySpec spec = tiny_story(2, 2);
    QSignalSpy frames(client_->worker(), &EngineWorker::frameReady);
    QSignalSpy progress(client_->worker(), &EngineWorker::progress);
    QSignalSpy previews(client_->worker(), &EngineWorker::stepPreview);
    QSignalSpy finished(client_->worker(), &EngineWorker::finished);
    QSignalSpy errors(client_->worker(), &EngineWorker::error);
    RunOptions options;
    options.record_attention = true;
    QVERIFY(client_->runStory(spec, options));
    QVERIFY(!client_->runStory(spec, options));  // one run at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    const auto got = frames_from(frames);
    QCOMPARE(got.size(), std::size_t{2});
    // record_attention renders one frame at a time: 2 progress reports and 2 previews per frame.
    QCOMPARE(progress.count(), 4);
    QCOMPARE(previews.count(), 4);
    const QList<QVariant> last = progress.last();
    QCOMPARE(last.at(0).toInt(), 1);                                       // frame (0-based)
    QCOMPARE(last.at(1).toInt(), 2);                                       // frames
    QCOMPARE(last.at(2).toInt(), 2);                                       // step
    QCOMPARE(last.at(3).toInt(), 2);                                       // steps
    QVERIFY(last.at(5).toDouble() >= 0.0 && last.at(5).toDouble() < 1.0);  // ETA at the very end

    auto bundle = load_model(ModelLocation{tiny_model().toStdString(), "", ""});
    StoryRunOptions direct_options;
    direct_options.record_attention = true;
    const StoryResult direct = StoryPipeline(bundle).run(spec, direct_options);
    for (std::size_t j = 0; j < 2; ++j) {
      const FramePtr& f = got[j];
      QCOMPARE(f->index, static_cast<int>(j));
      QCOMPARE(f->prompt.toStdString(), direct.frames[j].prompt);
      QCOMPARE(f->image, qimage_from_tensor(direct.frames[j].image));
      QCOMPARE(f->x0_steps.size(), std::size_t{2});
      QVERIFY(f->records);
      QCOMPARE(f->records->records.size(), direct.frames[j].records.records.size());
      QCOMPARE(f->encoding.ids, bundle->tokenizer().encode(direct.frames[j].prompt).ids);
    }
  }

  // A batch of two frames: preview rows belong to the frames in batch order. With Euler the last
  // step's predicted x0 is the final latent, so each frame's last preview is its own image.
  void batchedPreviewRowsMapToTheirFrames() {
    StorySpec spec = tiny_story(2, 3);
    spec.identity = "a";
    spec.frames = {"blue blue blue square", "green green star at night"};
    spec.same_noise = false;
    QSignalSpy frames(client_->worker(), &EngineWorker::frameReady);
    QSignalSpy finished(client_->worker(), &EngineWorker::finished);
    RunOptions options;
    options.record_attention = false;
    options.max_batch = 2;
    QVERIFY(client_->runStory(spec, options));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    const auto got = frames_from(frames);
    QCOMPARE(got.size(), std::size_t{2});
    for (const FramePtr& f : got) {
      QVERIFY(!f->records);
      QCOMPARE(f->x0_steps.size(), std::size_t{3});
    }
    const double own0 = mean_abs_difference(got[0]->x0_steps.back(), got[0]->image);
    const double own1 = mean_abs_difference(got[1]->x0_steps.back(), got[1]->image);
    const double cross = mean_abs_difference(got[0]->x0_steps.back(), got[1]->image);
    QVERIFY2(cross > 1.0, "the two frames should differ (different noise)");
    QVERIFY2(own0 < 0.5 && own1 < 0.5,
             qPrintable(QStringLiteral("own %1 %2 cross %3").arg(own0).arg(own1).arg(cross)));
  }

  void cancelKeepsFinishedFrames() {
    const StorySpec spec = tiny_story(3, 150);
    QSignalSpy frames(client_->worker(), &EngineWorker::frameReady);
    QSignalSpy finished(client_->worker(), &EngineWorker::finished);
    RunOptions options;
    options.record_attention = false;
    options.collect_previews = false;
    options.max_batch = 1;
    QVERIFY(client_->runStory(spec, options));
    QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 1, 120000);
    client_->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QVERIFY(frames.count() >= 1 && frames.count() < 3);
    QCOMPARE(frames_from(frames).front()->index, 0);
    QTRY_VERIFY(!client_->busy());
  }

  // A cancel issued after the run was queued but before it started still stops it.
  void cancelBeforeTheRunStarts() {
    QSignalSpy frames(client_->worker(), &EngineWorker::frameReady);
    QSignalSpy finished(client_->worker(), &EngineWorker::finished);
    QVERIFY(client_->runStory(tiny_story(2, 50), RunOptions{}));
    client_->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QCOMPARE(frames.count(), 0);
  }

  void badStoryBecomesAnErrorNamingTheField() {
    StorySpec spec = tiny_story(2, 2);
    spec.steps = 0;
    QSignalSpy errors(client_->worker(), &EngineWorker::error);
    QSignalSpy finished(client_->worker(), &EngineWorker::finished);
    QVERIFY(client_->runStory(spec, RunOptions{}));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.at(0).at(0).toString().contains(QStringLiteral("steps")),
             qPrintable(errors.at(0).at(0).toString()));
  }

  void badModelBecomesAnErrorAndKeepsTheLoadedOne() {
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("no-such-model"));
    QSignalSpy errors(client_->worker(), &EngineWorker::error);
    ModelRequest r;
    r.path = missing;
    QVERIFY(client_->loadModel(r));
    QTRY_VERIFY_WITH_TIMEOUT(!client_->busy(), 60000);
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.at(0).at(0).toString().contains(missing), qPrintable(errors.at(0).at(0).toString()));
    QVERIFY(client_->hasModel());  // the tiny model is still there
  }

  void noModelMeansNoRun() {
    EngineClient fresh;
    QVERIFY(!fresh.hasModel());
    QVERIFY(!fresh.runStory(tiny_story(1, 1), RunOptions{}));
    QVERIFY(!fresh.busy());
  }
};

QTEST_MAIN(TestUiEngine)
#include "test_ui_engine.moc"
