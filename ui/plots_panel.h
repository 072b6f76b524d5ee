#pragma once
// The Plots dock (DESIGN §6), drawn with QCustomPlot: attention mass per token over steps for the
// selected view/layer, a per-layer bar chart for the selected token, and the alignment score of
// each masked word over steps. Each plot exports as PNG or PDF (by the file's suffix).
#include <QImage>
#include <QMap>
#include <QWidget>

#include "ui/frame_data.h"
#include "ui/heatmap_selection.h"
#include "ui/heatmap_series.h"
#include "ui/heatmap_source.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QTabWidget;

namespace storyscope::ui {

class PlotsPanel : public QWidget {
  Q_OBJECT
 public:
  enum class Plot { MassOverSteps, LayerBars, AlignmentOverSteps };

  explicit PlotsPanel(QWidget* parent = nullptr);

  void setFrame(FramePtr frame);
  void setSelection(const HeatmapSelection& selection);  // connect AttentionInspector::selectionChanged
  void setMasks(const QMap<QString, QImage>& masks);     // connect from MaskPainter::masksChanged
  void setAlignmentMetric(AlignmentMetric metric);

  QCustomPlot* plot(Plot which) const;
  // The numbers behind each plot as last drawn.
  const StepSeries& series(Plot which) const;
  void showPlot(Plot which);
  // PNG or PDF by suffix; throws storyscope::Error naming the file when it cannot be written.
  void exportPlot(Plot which, const QString& path) const;

 protected:
  // Plots paint with their own pens: re-colour them when the palette (the theme) changes.
  void changeEvent(QEvent* event) override;

 private:
  void apply_palette();
  void refresh();
  void draw_mass();
  void draw_layers();
  void draw_alignment();
  void export_clicked();

  HeatmapSource source_;
  HeatmapSelection selection_;
  QMap<QString, QImage> masks_;
  AlignmentMetric metric_ = AlignmentMetric::Iou;
  StepSeries mass_, layers_, alignment_;

  QTabWidget* tabs_;
  QCustomPlot* mass_plot_;
  QCustomPlot* layer_plot_;
  QCustomPlot* alignment_plot_;
  QComboBox* metric_box_;
  QLabel* status_;
};

}  // namespace storyscope::ui
