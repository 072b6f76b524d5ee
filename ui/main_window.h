#pragma once
// The StoryScope main window: menus, shortcuts and the dock layout of DESIGN section 6. Story
// and Run docks, the central Frames view and the Log are ours; the Attention, Masks and Plots
// docks take their widgets through setDockContent. The window talks to the engine only through
// an EngineClient (a worker thread) and keeps the project bookkeeping in a ProjectSession.
#include <QMainWindow>
#include <QMap>
#include <QMessageBox>
#include <QPointer>
#include <functional>

#include "ui/engine_client.h"
#include "ui/project.h"

class QAction;
class QDockWidget;
class QMenu;
class QPlainTextEdit;

namespace storyscope::ui {

class ConceptDialog;
class FramesView;
class ProjectSession;
class RunPanel;
class StoryPanel;

struct MainWindowOptions {
  bool load_demo = true;       // load the demo model (when present) and the example story
  bool offer_recovery = true;  // ask to restore autosaved work left by a crash
  bool restore_layout = true;  // dock layout from QSettings
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr) : MainWindow(MainWindowOptions{}, parent) {}
  explicit MainWindow(const MainWindowOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Appends a line to the Log dock.
  void log(const QString& line);
  // "StoryDock", "RunDock", "AttentionDock", "MasksDock", "PlotsDock", "LogDock".
  QDockWidget* dock(const QString& object_name) const { return docks_.value(object_name); }
  // Puts `widget` into a dock ("attention", "masks", "plots" or a dock's object name), replacing
  // its placeholder; the dock takes ownership.
  void setDockContent(const QString& name, QWidget* widget);
  // Raises the view named as in `storyscope --view`: story, frames, inspector, masks, plots.
  bool showView(const QString& name);

  StoryPanel* storyPanel() const { return story_; }
  RunPanel* runPanel() const { return run_; }
  FramesView* framesView() const { return frames_; }
  EngineClient* engine() const { return engine_; }
  ProjectSession* session() const { return session_; }

  // The story as the panels show it (run settings applied).
  StorySpec currentSpec() const;
  Project currentProject() const;
  // Mask hook for the mask painter: word -> PNG path to save with the project.
  void setMaskProvider(std::function<QMap<QString, QString>()> provider) {
    mask_provider_ = std::move(provider);
  }

  // Project actions without dialogs (the menu actions ask for folders, then call these). Errors
  // are shown (lastError) and change nothing.
  bool openProject(const QString& dir);
  bool saveProject(const QString& dir);
  void newProject();
  bool exportTo(const QString& dir);
  // Starts a run with the panels' settings; false (and an error shown) when it cannot start.
  bool generate();
  void cancelRun();
  void loadModel(const QString& path);

  // Concept extraction (main_window_concepts.cpp). Opens the "Extract concepts" dialog for the
  // masks painted on `frame` (words in layer order, one mask each); null with an error shown
  // when there is no frame, mask or model. While a run goes on, the same dialog is raised.
  ConceptDialog* openConceptDialog(const FramePtr& frame, const QStringList& words,
                                   const QList<QImage>& masks);
  ConceptDialog* conceptDialog() const;
  bool startConcepts(const ConceptRequest& request);
  // The concept packs the model should carry (applied on every model load); changing them
  // reloads the model.
  QStringList conceptPacks() const { return concept_packs_; }
  void setConceptPacks(const QStringList& dirs);

  QString lastError() const { return last_error_; }
  // What to do with unsaved changes before they would be lost (tests replace the dialog).
  using UnsavedPrompt = std::function<QMessageBox::StandardButton(const QString& question)>;
  void setUnsavedPrompt(UnsavedPrompt prompt) { unsaved_prompt_ = std::move(prompt); }

 signals:
  void frameSelected(const storyscope::ui::FramePtr& frame);
  // After a project was opened, with its masks (word -> absolute PNG path).
  void projectMasksLoaded(const QMap<QString, QString>& masks);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  QDockWidget* add_dock(const QString& object_name, const QString& title, Qt::DockWidgetArea area,
                        QWidget* content);
  void connect_engine();
  void connect_concepts();  // main_window_concepts.cpp
  QString default_concept_dir() const;
  QString default_token_prefix() const;
  void load_concept_pack_dialog();
  void create_menus();
  void add_theme_menu(QMenu* parent);     // main_window_appearance.cpp
  void add_language_menu(QMenu* parent);  // main_window_appearance.cpp
  void rebuild_recent_menu();
  void restore_layout();
  void show_about();
  void show_error(const QString& title, const QString& message);
  void update_title();
  void update_engine_state();
  void apply_project(const Project& project);
  void offer_recovery();
  // True when it is fine to drop the current project (saved, discarded, or nothing to lose).
  bool confirm_discard();
  bool save_as();
  bool save();
  void open_dialog();
  void export_dialog();
  void import_story_dialog();

  EngineClient* engine_ = nullptr;
  ProjectSession* session_ = nullptr;
  StoryPanel* story_ = nullptr;
  RunPanel* run_ = nullptr;
  FramesView* frames_ = nullptr;
  QMap<QString, QDockWidget*> docks_;
  QPlainTextEdit* log_view_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QAction* generate_action_ = nullptr;
  QAction* cancel_action_ = nullptr;
  QString last_error_;
  bool loading_model_ = false;
  bool running_ = false;
  bool keep_run_options_ = false;
  bool extracting_ = false;
  QStringList concept_packs_;
  QString model_source_;  // the model modelLoaded last reported
  QPointer<ConceptDialog> concept_dialog_;
  StorySpec last_run_spec_;
  UnsavedPrompt unsaved_prompt_;
  std::function<QMap<QString, QString>()> mask_provider_;
};

}  // namespace storyscope::ui
