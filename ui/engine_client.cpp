#include "ui/engine_client.h"

namespace storyscope::ui {

EngineClient::EngineClient(QObject* parent) : QObject(parent) {
  qRegisterMetaType<ModelRequest>();
  qRegisterMetaType<ModelInfo>();
  qRegisterMetaType<RunOptions>();
  qRegisterMetaType<StorySpec>();
  qRegisterMetaType<FramePtr>();
  qRegisterMetaType<ConceptRequest>();
  qRegisterMetaType<ConceptProgress>();
  worker_ = new EngineWorker;
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &EngineWorker::modelLoaded, this, [this](const ModelInfo& info) {
    model_ = info;
    has_model_ = true;
  });
  connect(worker_, &EngineWorker::taskDone, this, [this] {
    if (--pending_ == 0) emit busyChanged(false);
  });
  thread_.setObjectName(QStringLiteral("StoryScope engine"));
  thread_.start();
}

EngineClient::~EngineClient() {
  worker_->cancel();
  thread_.quit();
  thread_.wait();
}

void EngineClient::task_queued() {
  if (pending_++ == 0) emit busyChanged(true);
}

bool EngineClient::loadModel(const ModelRequest& request) {
  if (busy()) return false;
  task_queued();
  QMetaObject::invokeMethod(
      worker_, [w = worker_, request] { w->loadModel(request); }, Qt::QueuedConnection);
  return true;
}

bool EngineClient::runStory(const StorySpec& spec, const RunOptions& options) {
  if (busy() || !has_model_) return false;
  task_queued();
  worker_->beginRun();
  QMetaObject::invokeMethod(
      worker_, [w = worker_, spec, options] { w->runStory(spec, options); }, Qt::QueuedConnection);
  return true;
}

bool EngineClient::extractConcepts(const ConceptRequest& request) {
  if (busy() || !has_model_) return false;
  task_queued();
  worker_->beginRun();
  QMetaObject::invokeMethod(
      worker_, [w = worker_, request] { w->extractConcepts(request); }, Qt::QueuedConnection);
  return true;
}

bool EngineClient::setConceptPacks(const QStringList& dirs) {
  if (busy() || !has_model_) return false;
  ModelRequest request;
  request.path = model_.source;  // the model loaded last, not a later failed attempt
  request.device = model_.device;
  request.precision = model_.precision;
  request.concept_packs = dirs;
  return loadModel(request);
}

void EngineClient::cancel() { worker_->cancel(); }

}  // namespace storyscope::ui
