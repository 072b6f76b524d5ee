#pragma once
// The cross-attention layers of a frame's records grouped down / mid / up, each with its native
// resolution, so the user picks the layer the Layer view shows.
#include <QTreeWidget>
#include <vector>

#include "ui/heatmap_source.h"

namespace storyscope::ui {

class HeatmapLayerTree : public QTreeWidget {
  Q_OBJECT
 public:
  explicit HeatmapLayerTree(QWidget* parent = nullptr);

  void set_layers(const std::vector<CrossLayerInfo>& layers);
  QString current_layer() const;
  // Selects `name` (no signal); false when it is not listed.
  bool select_layer(const QString& name);
  int layer_count() const { return layer_count_; }

 signals:
  void layerChosen(const QString& name);

 private:
  int layer_count_ = 0;
};

}  // namespace storyscope::ui
