#pragma once
// The Attention inspector dock (DESIGN §6): for the selected frame, a grid of per-token (or
// per-word) heatmaps over the final image or that step's predicted x0, a step scrubber with
// play/pause, the cross-attention layers grouped down/mid/up, view/head/normalisation/colormap/
// opacity options, the value under the cursor, and a large view of the clicked tile. Maps come
// from the core views through a per-frame cache (HeatmapSource), so scrubbing steps is cheap.
#include <ATen/Tensor.h>

#include <QWidget>
#include <vector>

#include "ui/frame_data.h"
#include "ui/heatmap_controls.h"
#include "ui/heatmap_selection.h"
#include "ui/heatmap_source.h"

class QGridLayout;
class QLabel;

namespace storyscope::ui {

class HeatmapLayerTree;
class HeatmapStepBar;
class HeatmapTile;

class AttentionInspector : public QWidget {
  Q_OBJECT
 public:
  explicit AttentionInspector(QWidget* parent = nullptr);

  void setFrame(FramePtr frame);
  FramePtr frame() const { return source_.frame(); }

  HeatmapSelection selection() const { return selection_; }
  // Applies view, layer, steps (a single recorded step or all), token, word level, head and norm.
  void setSelection(const HeatmapSelection& selection);
  // Selects the token/word row whose map the large view, the mask painter and the plots follow.
  void setToken(int row);

  // The maps behind the tiles now [rows, h, w] (undefined when nothing is shown), and the time
  // the last refresh took (computing or fetching the maps plus drawing every tile).
  at::Tensor shownMaps() const { return shown_maps_; }
  double lastUpdateMs() const { return last_update_ms_; }
  QString statusText() const;

  HeatmapControls* controls() const { return controls_; }
  HeatmapStepBar* stepBar() const { return step_bar_; }
  HeatmapLayerTree* layerTree() const { return layer_tree_; }
  const std::vector<HeatmapTile*>& tiles() const { return tiles_; }
  HeatmapTile* largeView() const { return large_view_; }
  HeatmapSource& source() { return source_; }

 signals:
  void selectionChanged(const storyscope::ui::HeatmapSelection& selection);
  // The value under the cursor (tile row, map value), also shown in the status line.
  void valueHovered(int row, double value);

 private:
  void read_selection_from_controls();
  void refresh();
  void redraw_tiles();
  void ensure_tiles(int count);
  QImage background_image() const;
  void show_status(const QString& text);

  HeatmapSource source_;
  HeatmapSelection selection_;
  at::Tensor shown_maps_;
  QStringList shown_labels_;
  double last_update_ms_ = 0.0;

  HeatmapControls* controls_;
  HeatmapStepBar* step_bar_;
  HeatmapLayerTree* layer_tree_;
  QWidget* grid_host_;
  QGridLayout* grid_;
  std::vector<HeatmapTile*> tiles_;
  HeatmapTile* large_view_;
  QLabel* status_;
};

}  // namespace storyscope::ui
