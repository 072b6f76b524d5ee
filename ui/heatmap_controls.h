#pragma once
// The inspector's option row: view mode, head mode, word level, normalisation, colormap,
// opacity and the picture under the maps (final frame or that step's predicted x0).
#include <QWidget>

#include "ui/heatmap_selection.h"

class QCheckBox;
class QComboBox;
class QSlider;

namespace storyscope::ui {

enum class HeatmapBackground { FinalImage, PredictedX0, None };

class HeatmapControls : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapControls(QWidget* parent = nullptr);

  // Heads recorded per head (0: head-averaged records, the head box only offers the mean);
  // whether self-attention was recorded (enables self-pca).
  void set_capabilities(int heads, bool self_attention);

  HeatmapView view() const;
  void set_view(HeatmapView view);
  int head() const;  // -1: mean
  void set_head(int head);
  bool word_level() const;
  void set_word_level(bool on);
  MapNorm norm() const;
  void set_norm(MapNorm norm);
  Colormap colormap() const;
  void set_colormap(Colormap colormap);
  double opacity() const;  // [0, 1]
  void set_opacity(double opacity);
  HeatmapBackground background() const;
  void set_background(HeatmapBackground background);

 signals:
  void selectionOptionsChanged();  // view, head, word level or normalisation
  void displayOptionsChanged();    // colormap, opacity or background

 private:
  QComboBox* view_;
  QComboBox* head_;
  QCheckBox* word_level_;
  QComboBox* norm_;
  QComboBox* colormap_;
  QSlider* opacity_;
  QComboBox* background_;
};

}  // namespace storyscope::ui
