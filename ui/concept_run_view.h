#pragma once
// The live side of concept extraction: progress with phase, speed and ETA, both losses per step
// in a QCustomPlot (diffusion and attention, log scale), and the attention map of each token the
// last step trained on, over the frame. It only shows what the EngineWorker reports.
#include <QWidget>

#include "ui/engine_types.h"

class QCustomPlot;
class QEvent;
class QHBoxLayout;
class QLabel;
class QProgressBar;

namespace storyscope::ui {

class ConceptRunView : public QWidget {
  Q_OBJECT
 public:
  explicit ConceptRunView(QWidget* parent = nullptr);

  // A new run of `total` steps: empties the plot and the maps.
  void start(int total);
  void showProgress(const ConceptProgress& progress);
  // The line under the progress bar (finished, cancelled, failed).
  void setStatus(const QString& text);

  QProgressBar* progressBar() const { return progress_; }
  QLabel* statusLabel() const { return status_; }
  // graph(0): diffusion loss, graph(1): attention loss; one point per step.
  QCustomPlot* lossPlot() const { return plot_; }
  // Tokens whose maps are shown, in order.
  QStringList mapTokens() const { return map_tokens_; }

 protected:
  void changeEvent(QEvent* event) override;

 private:
  QProgressBar* progress_;
  QLabel* status_;
  QCustomPlot* plot_;
  QHBoxLayout* maps_;
  QStringList map_tokens_;

  void clear_maps();
};

}  // namespace storyscope::ui
