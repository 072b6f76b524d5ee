#include "ui/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStatusBar>

#include "ui/about_info.h"

namespace storyscope::ui {

namespace {
// Until a dock's widget lands, say plainly what it will hold rather than show an empty pane.
QWidget* pending_panel(const QString& text) {
  auto* label = new QLabel(text);
  label->setWordWrap(true);
  label->setAlignment(Qt::AlignCenter);
  label->setEnabled(false);
  return label;
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("StoryScope"));
  setObjectName(QStringLiteral("MainWindow"));
  setCentralWidget(
      pending_panel(tr("Frames: generated frames and the selected frame with its heatmap overlay.")));

  log_view_ = new QPlainTextEdit;
  log_view_->setReadOnly(true);
  log_view_->setMaximumBlockCount(10000);

  add_dock(QStringLiteral("StoryDock"), tr("Story"), Qt::LeftDockWidgetArea,
           pending_panel(tr("Identity prompt, frame prompts, window, SVR and IPCA settings.")));
  add_dock(QStringLiteral("RunDock"), tr("Run"), Qt::LeftDockWidgetArea,
           pending_panel(tr("Model, sampler, steps, guidance, seed, size; Generate and Cancel.")));
  add_dock(QStringLiteral("AttentionDock"), tr("Attention inspector"), Qt::RightDockWidgetArea,
           pending_panel(tr("Per-token heatmaps for any step and layer.")));
  add_dock(QStringLiteral("MasksDock"), tr("Masks"), Qt::RightDockWidgetArea,
           pending_panel(tr("Paint masks per token and score attention alignment.")));
  add_dock(QStringLiteral("PlotsDock"), tr("Plots"), Qt::BottomDockWidgetArea,
           pending_panel(tr("Attention mass per token over steps, per-layer bars, alignment vs step.")));
  add_dock(QStringLiteral("LogDock"), tr("Log"), Qt::BottomDockWidgetArea, log_view_);

  create_menus();
  restore_layout();
  statusBar()->showMessage(tr("Ready"));
  log(tr("StoryScope started"));
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

void MainWindow::create_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (QDockWidget* dock : docks_) view->addAction(dock->toggleViewAction());
  view->addSeparator();
  view->addAction(tr("&Reset layout"), this, [this] {
    for (QDockWidget* dock : docks_) dock->show();
    QSettings().remove(QStringLiteral("window/state"));
    log(tr("Layout reset"));
  });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About StoryScope"), this, &MainWindow::show_about);
}

void MainWindow::restore_layout() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  event->accept();
}

void MainWindow::log(const QString& line) {
  log_view_->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss ")) + line);
}

void MainWindow::show_about() { QMessageBox::about(this, tr("About StoryScope"), about_text()); }

}  // namespace storyscope::ui
