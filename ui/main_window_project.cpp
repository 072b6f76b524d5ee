// MainWindow: the project side (new, open, save, recent, recovery, import and export).
#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QStatusBar>

#include "ui/default_story.h"
#include "ui/frames_view.h"
#include "ui/main_window.h"
#include "ui/project_session.h"
#include "ui/run_panel.h"
#include "ui/story_export.h"
#include "ui/story_panel.h"

namespace storyscope::ui {

Project MainWindow::currentProject() const {
  Project p;
  p.spec = currentSpec();
  p.run.model_path = run_->modelPath();
  const ModelRequest request = run_->modelRequest();
  p.run.device = request.device;
  p.run.precision = request.precision;
  p.run.options = run_->runOptions();
  p.run.seed_locked = run_->seedLocked();
  p.frames = frames_->frames();
  if (mask_provider_) p.masks = mask_provider_();
  p.concept_packs = concept_packs_;
  return p;
}

void MainWindow::apply_project(const Project& p) {
  story_->setSpec(p.spec);
  run_->setFromSpec(p.spec);
  run_->setRunOptions(p.run.options);
  run_->setSeedLocked(p.run.seed_locked);
  if (!p.run.model_path.isEmpty()) run_->setModelPath(p.run.model_path);
  frames_->clear();
  for (const FramePtr& f : p.frames) frames_->addFrame(f);
  last_run_spec_ = p.spec;
  keep_run_options_ = true;          // the model this project loads must not reset its choices
  concept_packs_ = p.concept_packs;  // applied with the model (openProject)
  emit projectMasksLoaded(p.masks);
}

bool MainWindow::confirm_discard() {
  if (!session_->dirty()) return true;
  switch (unsaved_prompt_(tr("The project has unsaved changes. Save them first?"))) {
    case QMessageBox::Save:
      return save();
    case QMessageBox::Discard:
      return true;
    default:
      return false;
  }
}

void MainWindow::newProject() {
  if (!confirm_discard()) return;
  const StorySpec spec = default_story();
  story_->setSpec(spec);
  run_->setFromSpec(spec);
  frames_->clear();
  setConceptPacks({});
  session_->markClean(QString());
  update_title();
  log(tr("New project"));
}

bool MainWindow::openProject(const QString& dir) {
  Project p;
  try {
    p = load_project(dir);  // everything is read and checked before anything here changes
  } catch (const ProjectError& e) {
    show_error(tr("Open project"), tr("The project could not be opened: %1").arg(e.message()));
    return false;
  }
  apply_project(p);
  session_->markClean(dir);
  update_title();
  log(tr("Opened project %1 (%2 frames)").arg(dir).arg(p.frames.size()));
  statusBar()->showMessage(tr("Opened %1").arg(dir), 5000);
  if (!p.run.model_path.isEmpty() && p.run.model_path != engine_->modelInfo().source && !engine_->busy() &&
      QFileInfo::exists(p.run.model_path))
    loadModel(p.run.model_path);  // with the project's concept packs
  else
    setConceptPacks(p.concept_packs);  // the same model: reloaded only when its packs differ
  return true;
}

bool MainWindow::saveProject(const QString& dir) {
  try {
    save_project(dir, currentProject());
  } catch (const ProjectError& e) {
    show_error(tr("Save project"), tr("The project could not be saved: %1").arg(e.message()));
    return false;
  }
  session_->markClean(dir);
  update_title();
  log(tr("Saved project %1").arg(dir));
  statusBar()->showMessage(tr("Saved %1").arg(dir), 5000);
  return true;
}

bool MainWindow::save() { return session_->path().isEmpty() ? save_as() : saveProject(session_->path()); }

bool MainWindow::save_as() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Save the project into a folder"), session_->path());
  return !dir.isEmpty() && saveProject(dir);
}

void MainWindow::open_dialog() {
  if (!confirm_discard()) return;
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a project folder"), session_->path());
  if (!dir.isEmpty()) openProject(dir);
}

void MainWindow::rebuild_recent_menu() {
  if (!recent_menu_) return;
  recent_menu_->clear();
  const QStringList recent = session_->recentProjects();
  for (const QString& path : recent)
    recent_menu_->addAction(path, this, [this, path] {
      if (confirm_discard()) openProject(path);
    });
  if (recent.isEmpty()) recent_menu_->addAction(tr("(none)"))->setEnabled(false);
  recent_menu_->addSeparator();
  recent_menu_->addAction(tr("Clear list"), session_, &ProjectSession::clearRecent);
}

void MainWindow::offer_recovery() {
  const QString origin = session_->recoveryOrigin();
  const QString question = tr("StoryScope did not close normally. Restore the work autosaved at %1%2?")
                               .arg(session_->recoveryTime().toString(Qt::TextDate),
                                    origin.isEmpty() ? QString() : tr(" (project %1)").arg(origin));
  const auto answer = QMessageBox::question(this, tr("Recover unsaved work"), question,
                                            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
  if (answer != QMessageBox::Yes) {
    session_->discardRecovery();
    return;
  }
  try {
    apply_project(load_project(ProjectSession::recoveryDir()));
  } catch (const ProjectError& e) {
    show_error(tr("Recover unsaved work"), tr("The autosaved work could not be read: %1").arg(e.message()));
    return;
  }
  session_->markClean(origin);  // the recovered state is unsaved work of that project
  session_->markDirty();
  update_title();
  log(tr("Recovered autosaved work"));
}

bool MainWindow::exportTo(const QString& dir) {
  if (frames_->frames().empty()) {
    show_error(tr("Export"), tr("There are no frames to export yet."));
    return false;
  }
  try {
    const QStringList written = export_story(dir, frames_->frames(), last_run_spec_, run_->modelPath());
    log(tr("Exported %1 files to %2").arg(written.size()).arg(dir));
    statusBar()->showMessage(tr("Exported to %1").arg(dir), 5000);
    return true;
  } catch (const std::exception& e) {
    show_error(tr("Export"), tr("The export failed: %1").arg(QString::fromUtf8(e.what())));
    return false;
  }
}

void MainWindow::export_dialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Export frames into a folder"));
  if (!dir.isEmpty()) exportTo(dir);
}

void MainWindow::import_story_dialog() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Import a story"), QString(),
                                                    tr("Stories (*.story.json *.json)"));
  if (file.isEmpty()) return;
  try {
    const StorySpec spec = read_story_file(file.toStdString());
    story_->setSpec(spec);
    run_->setFromSpec(spec);
    session_->markDirty();
    log(tr("Imported story %1").arg(file));
  } catch (const std::exception& e) {
    show_error(tr("Import story"), tr("The story could not be read: %1").arg(QString::fromUtf8(e.what())));
  }
}

}  // namespace storyscope::ui
