// MainWindow: concept extraction (Break-A-Scene) from the Masks dock, and the concept packs the
// model carries. The engine does the work (EngineWorker::extractConcepts); this side opens the
// dialog, passes the engine's answers to it, and keeps the list of packs to apply.
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QStandardPaths>
#include <QStatusBar>

#include "ui/concept_dialog.h"
#include "ui/main_window.h"
#include "ui/project_session.h"
#include "ui/story_panel.h"

namespace storyscope::ui {

void MainWindow::connect_concepts() {
  EngineWorker* w = engine_->worker();
  connect(w, &EngineWorker::conceptProgress, this, [this](const ConceptProgress& p) {
    if (concept_dialog_) concept_dialog_->showProgress(p);
  });
  connect(w, &EngineWorker::conceptsFinished, this, [this](bool cancelled, const QString& pack_dir) {
    if (concept_dialog_) concept_dialog_->showFinished(cancelled, pack_dir);
    if (cancelled)
      statusBar()->showMessage(tr("Concept extraction cancelled; no pack was written"), 5000);
    else if (!pack_dir.isEmpty())
      statusBar()->showMessage(tr("Concepts learned: loading them into the model…"), 5000);
    if (!pack_dir.isEmpty()) {
      loading_model_ = true;  // the worker reloads the model with the new pack next
      extracting_ = false;
      update_engine_state();
      session_->markDirty();  // the project now lists the pack
    }
  });
  connect(story_, &StoryPanel::removeConceptPackRequested, this, [this](const QString& dir) {
    QStringList packs = concept_packs_;
    packs.removeAll(dir);
    setConceptPacks(packs);
    session_->markDirty();
  });
}

ConceptDialog* MainWindow::conceptDialog() const { return concept_dialog_; }

QString MainWindow::default_concept_dir() const {
  // Inside the project when it has a folder, else in the application's data folder: both are
  // the user's and writable (the demo model's folder may not be).
  const QString base = session_->path().isEmpty()
                           ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                           : session_->path();
  const QString stem = QDir(base).filePath(
      QStringLiteral("concepts/") + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  QString dir = stem;
  for (int n = 2; QFileInfo::exists(dir); ++n) dir = stem + QStringLiteral("-%1").arg(n);
  return dir;
}

QString MainWindow::default_token_prefix() const {
  // The first of asset, asset2_, asset3_, … whose tokens (<asset0>, <asset2_0>, …) the model
  // does not have yet, so a second extraction can be used together with the first.
  const auto taken = [this](const QString& prefix) {
    for (const ConceptEntry& c : engine_->modelInfo().concepts) {
      const QString opening = QLatin1Char('<') + prefix;
      if (!c.token.startsWith(opening) || !c.token.endsWith(QLatin1Char('>'))) continue;
      bool number = false;
      c.token.mid(opening.size(), c.token.size() - opening.size() - 1).toInt(&number);
      if (number) return true;
    }
    return false;
  };
  QString prefix = QStringLiteral("asset");
  for (int n = 2; taken(prefix); ++n) prefix = QStringLiteral("asset%1_").arg(n);
  return prefix;
}

ConceptDialog* MainWindow::openConceptDialog(const FramePtr& frame, const QStringList& words,
                                             const QList<QImage>& masks) {
  if (concept_dialog_ && concept_dialog_->running()) {
    concept_dialog_->show();
    concept_dialog_->raise();
    return concept_dialog_;
  }
  const QString title = tr("Extract concepts");
  if (!engine_->hasModel()) {
    show_error(title, tr("No model is loaded: load the model the frame was made with first."));
    return nullptr;
  }
  if (!frame || frame->image.isNull()) {
    show_error(title, tr("Generate or select a frame first, then paint a mask over each object to learn."));
    return nullptr;
  }
  if (words.isEmpty() || masks.size() != words.size()) {
    show_error(title, tr("Paint a mask over each object to learn (one mask layer per object) first."));
    return nullptr;
  }
  if (concept_dialog_) concept_dialog_->deleteLater();
  ConceptDialogInput input;
  input.image = frame->image;
  input.words = words;
  input.masks = masks;
  input.out_dir = default_concept_dir();
  input.token_prefix = default_token_prefix();
  concept_dialog_ = new ConceptDialog(input, this);
  connect(concept_dialog_, &ConceptDialog::startRequested, this, &MainWindow::startConcepts);
  connect(concept_dialog_, &ConceptDialog::cancelRequested, this, &MainWindow::cancelRun);
  concept_dialog_->show();
  return concept_dialog_;
}

bool MainWindow::startConcepts(const ConceptRequest& request) {
  if (!engine_->hasModel() || engine_->busy() || !engine_->extractConcepts(request)) {
    const QString why = tr("The engine is busy: wait for the current task to finish.");
    if (concept_dialog_) concept_dialog_->showError(why);
    log(why);
    return false;
  }
  extracting_ = true;
  if (concept_dialog_) concept_dialog_->setRunning(true);
  update_engine_state();
  log(tr("Extracting concepts into %1").arg(request.out_dir));
  return true;
}

void MainWindow::setConceptPacks(const QStringList& dirs) {
  concept_packs_ = dirs;
  if (!engine_->hasModel() || dirs == engine_->modelInfo().packs) return;
  if (!engine_->setConceptPacks(dirs)) return;  // busy: applied with the next model load
  loading_model_ = true;
  update_engine_state();
}

void MainWindow::load_concept_pack_dialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a concept pack folder"));
  if (dir.isEmpty()) return;
  QStringList packs = concept_packs_;
  packs.removeAll(dir);
  packs << dir;
  setConceptPacks(packs);
  session_->markDirty();
}

}  // namespace storyscope::ui
