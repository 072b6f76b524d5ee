#pragma once
// Owns the engine thread and its EngineWorker, and tracks what the GUI needs to know between
// signals (busy, the loaded model). Requests are queued to the worker; cancel() is immediate.
#include <QObject>
#include <QThread>

#include "ui/engine_types.h"
#include "ui/engine_worker.h"

namespace storyscope::ui {

class EngineClient : public QObject {
  Q_OBJECT
 public:
  explicit EngineClient(QObject* parent = nullptr);
  // Cancels any run and waits for the thread (a run stops at its next step).
  ~EngineClient() override;

  bool busy() const { return pending_ > 0; }
  bool hasModel() const { return has_model_; }
  const ModelInfo& modelInfo() const { return model_; }
  // The worker, for connecting to its signals (they arrive queued on the GUI thread).
  EngineWorker* worker() const { return worker_; }

  // All return false (and do nothing) while the engine is busy; runStory, extractConcepts and
  // setConceptPacks also without a model.
  bool loadModel(const ModelRequest& request);
  bool runStory(const StorySpec& spec, const RunOptions& options);
  bool extractConcepts(const ConceptRequest& request);
  // Reloads the model with exactly these concept packs (modelInfo().packs: the ones applied).
  bool setConceptPacks(const QStringList& dirs);
  void cancel();

 signals:
  void busyChanged(bool busy);

 private:
  void task_queued();

  QThread thread_;
  EngineWorker* worker_ = nullptr;
  int pending_ = 0;
  bool has_model_ = false;
  ModelInfo model_;
};

}  // namespace storyscope::ui
