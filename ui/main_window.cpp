#include "ui/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>

#include "ui/about_info.h"
#include "ui/analysis_docks.h"
#include "ui/appearance.h"
#include "ui/concept_dialog.h"
#include "ui/default_story.h"
#include "ui/frames_view.h"
#include "ui/project_session.h"
#include "ui/run_panel.h"
#include "ui/story_panel.h"

namespace storyscope::ui {

namespace {
// Until a dock's widget lands, say plainly what it will hold rather than show an empty pane.
constexpr int kDemoSizeLimit = 256;  // pixels: the shapes demo and the test models

QWidget* pending_panel(const QString& text) {
  auto* label = new QLabel(text);
  label->setWordWrap(true);
  label->setAlignment(Qt::AlignCenter);
  label->setEnabled(false);
  return label;
}
}  // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent) : QMainWindow(parent) {
  setObjectName(QStringLiteral("MainWindow"));
  apply_theme(stored_theme());  // before the widgets exist: they start in the right colours
  engine_ = new EngineClient(this);
  session_ = new ProjectSession(this);
  story_ = new StoryPanel;
  run_ = new RunPanel;
  frames_ = new FramesView;
  setCentralWidget(frames_);

  log_view_ = new QPlainTextEdit;
  log_view_->setObjectName(QStringLiteral("log"));
  log_view_->setReadOnly(true);
  log_view_->setMaximumBlockCount(10000);

  add_dock(QStringLiteral("StoryDock"), tr("Story"), Qt::LeftDockWidgetArea, story_);
  add_dock(QStringLiteral("RunDock"), tr("Run"), Qt::LeftDockWidgetArea, run_);
  add_dock(QStringLiteral("AttentionDock"), tr("Attention inspector"), Qt::RightDockWidgetArea,
           pending_panel(tr("Per-token heatmaps for any step and layer.")));
  add_dock(QStringLiteral("MasksDock"), tr("Masks"), Qt::RightDockWidgetArea,
           pending_panel(tr("Paint masks per token and score attention alignment.")));
  add_dock(QStringLiteral("PlotsDock"), tr("Plots"), Qt::BottomDockWidgetArea,
           pending_panel(tr("Attention mass per token over steps, per-layer bars, alignment vs step.")));
  add_dock(QStringLiteral("LogDock"), tr("Log"), Qt::BottomDockWidgetArea, log_view_);
  // Story and Run share the left column as tabs: each needs the full height.
  tabifyDockWidget(dock(QStringLiteral("StoryDock")), dock(QStringLiteral("RunDock")));
  dock(QStringLiteral("StoryDock"))->raise();
  tabifyDockWidget(dock(QStringLiteral("PlotsDock")), dock(QStringLiteral("LogDock")));
  dock(QStringLiteral("PlotsDock"))->raise();

  connect_engine();
  connect_concepts();
  install_analysis_docks(this);
  connect(story_, &StoryPanel::changed, session_, &ProjectSession::markDirty);
  connect(run_, &RunPanel::changed, session_, &ProjectSession::markDirty);
  connect(session_, &ProjectSession::dirtyChanged, this, &MainWindow::update_title);
  connect(session_, &ProjectSession::recentChanged, this, &MainWindow::rebuild_recent_menu);
  connect(session_, &ProjectSession::autosaveFailed, this,
          [this](const QString& m) { log(tr("Autosave failed: %1").arg(m)); });
  connect(frames_, &FramesView::frameSelected, this, &MainWindow::frameSelected);
  connect(frames_, &FramesView::exportRequested, this, &MainWindow::export_dialog);
  session_->setSnapshot([this] { return currentProject(); });

  unsaved_prompt_ = [this](const QString& question) {
    return QMessageBox::warning(this, tr("Unsaved changes"), question,
                                QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                QMessageBox::Save);
  };

  create_menus();
  update_engine_state();
  if (options.restore_layout) restore_layout();
  update_title();
  statusBar()->showMessage(tr("Ready"));
  log(tr("StoryScope started"));

  if (options.load_demo) {
    QString source;
    const StorySpec spec = default_story(&source);
    story_->setSpec(spec);
    run_->setFromSpec(spec);
    log(source.isEmpty() ? tr("Opened the built-in example story")
                         : tr("Opened the example story %1").arg(source));
    if (const QString demo = RunPanel::demoModelPath(); !demo.isEmpty())
      loadModel(demo);
    else
      run_->setNoModel(
          tr("No model loaded: the demo model (resources/models/shapes-demo) is not installed. "
             "Choose a diffusers folder or a checkpoint and press Load."));
  } else {
    StorySpec spec;
    story_->setSpec(spec);
    run_->setFromSpec(spec);
  }
  if (options.offer_recovery && session_->hasRecovery())
    QTimer::singleShot(0, this, &MainWindow::offer_recovery);  // once the window is up
}

MainWindow::~MainWindow() {
  // Stop the engine thread before the widgets its queued signals are aimed at go away.
  delete engine_;
}

QDockWidget* MainWindow::add_dock(const QString& object_name, const QString& title, Qt::DockWidgetArea area,
                                  QWidget* content) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(object_name);  // saveState() needs stable names
  dock->setWidget(content);
  addDockWidget(area, dock);
  docks_.insert(object_name, dock);
  return dock;
}

void MainWindow::setDockContent(const QString& name, QWidget* widget) {
  static const QMap<QString, QString> short_names{
      {QStringLiteral("attention"), QStringLiteral("AttentionDock")},
      {QStringLiteral("masks"), QStringLiteral("MasksDock")},
      {QStringLiteral("plots"), QStringLiteral("PlotsDock")}};
  QDockWidget* target = dock(short_names.value(name, name));
  if (!target) return;
  QWidget* old = target->widget();
  target->setWidget(widget);
  if (old) old->deleteLater();
}

bool MainWindow::showView(const QString& name) {
  static const QMap<QString, QString> docks{{QStringLiteral("story"), QStringLiteral("StoryDock")},
                                            {QStringLiteral("inspector"), QStringLiteral("AttentionDock")},
                                            {QStringLiteral("masks"), QStringLiteral("MasksDock")},
                                            {QStringLiteral("plots"), QStringLiteral("PlotsDock")}};
  if (name == QLatin1String("frames")) {
    frames_->setFocus();
    return true;
  }
  QDockWidget* d = dock(docks.value(name));
  if (!d) return false;
  d->show();
  d->raise();
  return true;
}

void MainWindow::connect_engine() {
  EngineWorker* w = engine_->worker();
  connect(w, &EngineWorker::modelLoaded, this, [this](const ModelInfo& info) {
    run_->setModelInfo(info);
    story_->setTokenizers(info.tokenizers);
    story_->setConcepts(info.concepts);
    concept_packs_ = info.packs;
    // The same model again (its concept packs changed) keeps the run options as they are.
    const bool same_model = info.source == model_source_;
    model_source_ = info.source;
    // Recording every map is cheap on demo-size models and hundreds of MB per frame on real
    // ones: a large model starts with it off (the Run panel's checkbox turns it back on), unless
    // the settings just came from a project.
    RunOptions options = run_->runOptions();
    const bool large = info.default_size > kDemoSizeLimit;
    if (large && options.record_attention && !keep_run_options_ && !same_model) {
      options.record_attention = false;
      run_->setRunOptions(options);
      log(tr("Attention recording is off for this model size; switch it on in the Run panel"));
    }
    keep_run_options_ = false;
    statusBar()->showMessage(tr("Model loaded: %1").arg(QFileInfo(info.source).fileName()), 5000);
  });
  connect(w, &EngineWorker::progress, run_, &RunPanel::showProgress);
  connect(w, &EngineWorker::stepPreview, run_, &RunPanel::showPreview);
  connect(w, &EngineWorker::frameReady, this, [this](const FramePtr& frame) {
    frames_->addFrame(frame);
    session_->markDirty();
    statusBar()->showMessage(tr("Frame %1 ready").arg(frame->index + 1), 3000);
  });
  connect(w, &EngineWorker::frameFailed, this, [this](int frame, const QString& message) {
    const QString text = tr("Frame %1 failed: %2").arg(frame + 1).arg(message);
    run_->showError(text);
    log(text);
  });
  connect(w, &EngineWorker::finished, this, [this](bool cancelled) {
    running_ = false;
    statusBar()->showMessage(cancelled ? tr("Cancelled: finished frames are kept") : tr("Finished"), 5000);
  });
  connect(w, &EngineWorker::error, this, [this](const QString& message) {
    last_error_ = message;
    if (extracting_ && concept_dialog_) concept_dialog_->showError(message);
    run_->showError(message);
    log(message);
    statusBar()->showMessage(message, 10000);
  });
  connect(w, &EngineWorker::message, this, &MainWindow::log);
  connect(engine_, &EngineClient::busyChanged, this, [this](bool busy) {
    if (!busy) {
      loading_model_ = false;
      running_ = false;
      extracting_ = false;
      if (concept_dialog_) concept_dialog_->setRunning(false);
      if (!engine_->hasModel())
        run_->setNoModel(tr("No model loaded: %1").arg(last_error_));
      else
        run_->setModelInfo(engine_->modelInfo());
    }
    update_engine_state();
  });
  connect(run_, &RunPanel::loadModelRequested, this, [this](ModelRequest r) {
    r.concept_packs = concept_packs_;  // packs made on another model are reported and dropped
    if (!engine_->loadModel(r)) return;
    loading_model_ = true;
    update_engine_state();
  });
  connect(run_, &RunPanel::generateRequested, this, &MainWindow::generate);
  connect(run_, &RunPanel::cancelRequested, this, &MainWindow::cancelRun);
}

void MainWindow::update_engine_state() {
  run_->setEngineState(loading_model_, running_ || extracting_, engine_->hasModel());
  if (extracting_) run_->showActivity(tr("Extracting concepts (progress in the Extract concepts window)"));
  if (generate_action_)
    generate_action_->setEnabled(!loading_model_ && !running_ && !extracting_ && engine_->hasModel());
  if (cancel_action_) cancel_action_->setEnabled(running_ || extracting_);
}

void MainWindow::loadModel(const QString& path) {
  run_->setModelPath(path);
  run_->clearError();
  ModelRequest request = run_->modelRequest();
  request.concept_packs = concept_packs_;
  if (!engine_->loadModel(request)) return;
  loading_model_ = true;
  update_engine_state();
}

StorySpec MainWindow::currentSpec() const {
  StorySpec spec = story_->spec();
  run_->applyTo(spec);
  return spec;
}

bool MainWindow::generate() {
  run_->clearError();
  if (!engine_->hasModel()) {
    show_error(tr("Generate"), tr("No model is loaded: choose one in the Run panel and press Load model."));
    return false;
  }
  if (engine_->busy()) return false;
  run_->rollSeedIfUnlocked();
  const StorySpec spec = currentSpec();
  try {
    validate_story(spec, "story");
  } catch (const std::exception& e) {
    last_error_ = tr("The story cannot run: %1").arg(QString::fromUtf8(e.what()));
    run_->showError(last_error_);
    log(last_error_);
    return false;
  }
  if (!engine_->runStory(spec, run_->runOptions())) return false;
  last_run_spec_ = spec;
  running_ = true;
  frames_->clear();
  update_engine_state();
  statusBar()->showMessage(tr("Generating %1 frames…").arg(spec.frames.size()));
  return true;
}

void MainWindow::cancelRun() {
  if (!running_ && !extracting_) return;
  engine_->cancel();
  statusBar()->showMessage(tr("Cancelling after the current step…"));
  log(tr("Cancel requested"));
}

void MainWindow::create_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&New project"), QKeySequence::New, this, &MainWindow::newProject);
  file->addAction(tr("&Open project…"), QKeySequence::Open, this, &MainWindow::open_dialog);
  recent_menu_ = file->addMenu(tr("Open &recent"));
  rebuild_recent_menu();
  file->addAction(tr("&Save project"), QKeySequence::Save, this, [this] { save(); });
  file->addAction(tr("Save project &as…"), QKeySequence::SaveAs, this, [this] { save_as(); });
  file->addSeparator();
  file->addAction(tr("&Import story.json…"), QKeySequence(tr("Ctrl+I")), this,
                  &MainWindow::import_story_dialog);
  file->addAction(tr("&Export frames…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::export_dialog);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run->addAction(tr("&Load model"), QKeySequence(tr("Ctrl+L")), this,
                 [this] { loadModel(run_->modelPath()); });
  generate_action_ =
      run->addAction(tr("&Generate"), QKeySequence(Qt::CTRL | Qt::Key_Return), this, [this] { generate(); });
  generate_action_->setShortcuts(
      {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
  cancel_action_ = run->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), this, &MainWindow::cancelRun);
  run->addSeparator();
  run->addAction(tr("Load concept &pack…"), this, &MainWindow::load_concept_pack_dialog);
  // The one-button path of DESIGN section 6: Generate and Cancel are always in view.
  QToolBar* bar = addToolBar(tr("Run"));
  bar->setObjectName(QStringLiteral("RunToolBar"));
  bar->addAction(generate_action_);
  bar->addAction(cancel_action_);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (QDockWidget* d : docks_) view->addAction(d->toggleViewAction());
  view->addSeparator();
  view->addAction(tr("&Strip"), QKeySequence(tr("Ctrl+T")), this,
                  [this] { frames_->setStripMode(!frames_->stripMode()); });
  view->addAction(tr("&Reset layout"), this, [this] {
    for (QDockWidget* d : docks_) d->show();
    QSettings().remove(QStringLiteral("window/state"));
    log(tr("Layout reset"));
  });
  view->addSeparator();
  add_theme_menu(view);
  add_language_menu(view);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About StoryScope"), this, &MainWindow::show_about);
}

void MainWindow::restore_layout() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!confirm_discard()) {
    event->ignore();
    return;
  }
  engine_->cancel();
  session_->discardRecovery();
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  event->accept();
}

void MainWindow::log(const QString& line) {
  log_view_->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss ")) + line);
}

void MainWindow::show_error(const QString& title, const QString& message) {
  last_error_ = message;
  log(message);
  statusBar()->showMessage(message, 10000);
  // Window-modal but not blocking: the event loop (and a running generation) keeps going.
  auto* box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setObjectName(QStringLiteral("errorBox"));
  box->open();
}

void MainWindow::update_title() {
  const QString name = session_->path().isEmpty() ? tr("Untitled") : QFileInfo(session_->path()).fileName();
  setWindowTitle(tr("%1%2 — StoryScope").arg(name, session_->dirty() ? QStringLiteral(" *") : QString()));
}

void MainWindow::show_about() { QMessageBox::about(this, tr("About StoryScope"), about_text()); }

}  // namespace storyscope::ui
