#pragma once
// "Extract concepts" (Break-A-Scene): which mask layers become concepts and the word each starts
// from, phase 1 / phase 2 steps, the attention-loss weight, seed, token prefix and the folder of
// the concept pack; then the run itself (ConceptRunView) with Cancel. Non-modal: the window stays
// usable. It only asks (startRequested, cancelRequested) and shows what the main window passes on.
#include <QDialog>
#include <QImage>
#include <QList>
#include <QStringList>

#include "ui/engine_types.h"

class QDialogButtonBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace storyscope::ui {

class ConceptRunView;

struct ConceptDialogInput {
  QImage image;         // the frame the masks are painted on
  QStringList words;    // mask layers with something painted, in layer order
  QList<QImage> masks;  // one per word
  QString out_dir;      // suggested pack folder
  QString token_prefix = QStringLiteral("asset");
};

class ConceptDialog : public QDialog {
  Q_OBJECT
 public:
  explicit ConceptDialog(const ConceptDialogInput& input, QWidget* parent = nullptr);

  // The settings as a request (only the layers ticked).
  ConceptRequest request() const;
  bool running() const { return running_; }

  // Called by the main window as the engine answers.
  void setRunning(bool running);
  void showProgress(const ConceptProgress& progress);
  void showFinished(bool cancelled, const QString& pack_dir);
  void showError(const QString& message);

  // For tests and keyboard users.
  QTableWidget* layerTable() const { return layers_; }
  QSpinBox* phase1Box() const { return phase1_; }
  QSpinBox* phase2Box() const { return phase2_; }
  QDoubleSpinBox* lambdaBox() const { return lambda_; }
  QSpinBox* seedBox() const { return seed_; }
  QLineEdit* prefixEdit() const { return prefix_; }
  QLineEdit* folderEdit() const { return folder_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* cancelButton() const { return cancel_; }
  ConceptRunView* runView() const { return run_; }

 signals:
  void startRequested(const storyscope::ui::ConceptRequest& request);
  void cancelRequested();

 private:
  QWidget* build_settings();
  void start_clicked();
  void browse();
  void update_buttons();

  ConceptDialogInput input_;
  bool running_ = false;
  QTableWidget* layers_ = nullptr;
  QSpinBox* phase1_ = nullptr;
  QSpinBox* phase2_ = nullptr;
  QDoubleSpinBox* lambda_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QLineEdit* prefix_ = nullptr;
  QLineEdit* folder_ = nullptr;
  QWidget* settings_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* close_ = nullptr;
  ConceptRunView* run_ = nullptr;
};

}  // namespace storyscope::ui
