#pragma once
// The GUI's only door to the engine. Lives in its own QThread (see EngineClient): slots run
// there, one at a time, and everything comes back as signals, so the GUI thread never waits on
// a model. Every exception becomes an `error` signal with its cause.
#include <QImage>
#include <QObject>
#include <QString>
#include <exception>
#include <memory>
#include <mutex>

#include "core/pipeline/run_observer.h"
#include "ui/engine_types.h"

namespace storyscope {
class ModelBundle;
}

namespace storyscope::ui {

class EngineWorker : public QObject {
  Q_OBJECT
 public:
  EngineWorker();
  ~EngineWorker() override;

  // Thread-safe. Arms a fresh cancellation token for the next runStory, so a cancel() issued
  // after the run was queued but before it started still stops it.
  void beginRun();

 public slots:
  // Applies request.concept_packs after loading (see ModelRequest).
  void loadModel(const storyscope::ui::ModelRequest& request);
  // Ends with `finished` (after `error` when the run could not start or failed as a whole).
  void runStory(const storyscope::StorySpec& spec, const storyscope::ui::RunOptions& options);
  // Break-A-Scene on a private float32 copy of the loaded model (engine_worker_concepts.cpp).
  // On success the pack is written to request.out_dir and the model is reloaded with it added
  // to its packs (modelLoaded follows); on cancel the checkpoint stays and no pack is written.
  // Ends with `conceptsFinished`.
  void extractConcepts(const storyscope::ui::ConceptRequest& request);
  // Thread-safe: call it directly from the GUI thread. The run stops between steps and keeps
  // the frames it finished.
  void cancel();

 signals:
  void modelLoaded(const storyscope::ui::ModelInfo& info);
  // `frame` is 0-based (the first frame of the batch being rendered), `step` counts finished
  // steps (1..steps); eta in seconds for the whole run (negative while unknown).
  void progress(int frame, int frames, int step, int steps, double itPerSecond, double etaSeconds);
  void stepPreview(int frame, int step, const QImage& predictedX0);
  void frameReady(const storyscope::ui::FramePtr& frame);
  void frameFailed(int frame, const QString& message);
  void finished(bool cancelled);
  void conceptProgress(const storyscope::ui::ConceptProgress& progress);
  // `pack_dir` is the written pack, empty when cancelled or failed.
  void conceptsFinished(bool cancelled, const QString& packDir);
  void error(const QString& message);
  void message(const QString& line);  // for the Log dock
  void taskDone();                    // after every loadModel / runStory / extractConcepts, whatever happened

 private:
  CancellationToken current_token() const;
  static QString describe(const std::exception& e);
  // Loads `request` into bundle_ (with its concept packs) and emits modelLoaded; throws on a
  // model that cannot be loaded (packs that do not fit are only reported).
  void load(const ModelRequest& request);

  std::shared_ptr<ModelBundle> bundle_;
  ModelRequest request_;  // what bundle_ was loaded from
  mutable std::mutex token_mutex_;
  CancellationToken token_;
};

}  // namespace storyscope::ui
