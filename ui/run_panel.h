#pragma once
// The Run dock: model picker (diffusers folder, single-file checkpoint, the shipped demo),
// sampler, steps, guidance, seed (lock / randomise), size, device and precision; Generate and
// Cancel; progress with frame x/N, step y/M, it/s and ETA; a live preview of the predicted x0.
// It only asks (signals) and shows (slots): the main window talks to the engine.
#include <QImage>
#include <QWidget>

#include "ui/engine_types.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace storyscope::ui {

class RunPanel : public QWidget {
  Q_OBJECT
 public:
  explicit RunPanel(QWidget* parent = nullptr);

  // resources/models/shapes-demo when it exists (STORYSCOPE_RESOURCES overrides), else empty.
  static QString demoModelPath();

  QString modelPath() const;
  void setModelPath(const QString& path);
  ModelRequest modelRequest() const;
  RunOptions runOptions() const;
  void setRunOptions(const RunOptions& options);
  bool seedLocked() const;
  void setSeedLocked(bool locked);
  // Sampler, steps, guidance, seed and size into / from a story.
  void applyTo(StorySpec& spec) const;
  void setFromSpec(const StorySpec& spec);
  // Picks a new seed unless the seed is locked (called before each Generate).
  void rollSeedIfUnlocked();

  void setModelInfo(const ModelInfo& info);
  void setNoModel(const QString& why);
  // loading: a model is being loaded; running: a story is being generated.
  void setEngineState(bool loading, bool running, bool has_model);
  void showProgress(int frame, int frames, int step, int steps, double it_per_second, double eta_seconds);
  void showPreview(int frame, int step, const QImage& x0);
  // The progress line while the engine does something other than a story (concept extraction).
  void showActivity(const QString& text);
  void showError(const QString& message);
  void clearError();

  QPushButton* generateButton() const { return generate_; }
  QPushButton* cancelButton() const { return cancel_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* errorLabel() const { return error_; }
  QLabel* modelLabel() const { return model_status_; }
  QLabel* previewLabel() const { return preview_; }
  QSpinBox* stepsBox() const { return steps_; }

 signals:
  void loadModelRequested(const storyscope::ui::ModelRequest& request);
  void generateRequested();
  void cancelRequested();
  void changed();

 private:
  QWidget* build_model_box();
  QWidget* build_settings_box();
  QWidget* build_run_box();
  void browse(bool folder);

  QComboBox* model_ = nullptr;
  QComboBox* device_ = nullptr;
  QComboBox* precision_ = nullptr;
  QPushButton* load_ = nullptr;
  QLabel* model_status_ = nullptr;
  QComboBox* sampler_ = nullptr;
  QSpinBox* steps_ = nullptr;
  QDoubleSpinBox* guidance_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QCheckBox* seed_lock_ = nullptr;
  QSpinBox* width_ = nullptr;
  QSpinBox* height_ = nullptr;
  QCheckBox* record_attention_ = nullptr;
  QCheckBox* previews_ = nullptr;
  QPushButton* generate_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* progress_text_ = nullptr;
  QLabel* preview_ = nullptr;
  QLabel* error_ = nullptr;
  bool loading_ = false;
};

}  // namespace storyscope::ui
