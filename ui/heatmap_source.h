#pragma once
// The attention maps of one frame as the widgets need them: which layers and steps were
// recorded, the labels of the rows, and the maps of a HeatmapSelection computed by the core view
// functions (core/analysis/attention_views.h), cached per selection so scrubbing back and forth
// over steps costs one computation per (view, layer, step). Lives on the GUI thread.
#include <ATen/Tensor.h>

#include <QHash>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "ui/frame_data.h"
#include "ui/heatmap_selection.h"

namespace storyscope::ui {

struct CrossLayerInfo {
  QString name;
  Place place = Place::Other;
  std::int64_t height = 0, width = 0;  // native query grid
};

class HeatmapSource {
 public:
  HeatmapSource() = default;
  explicit HeatmapSource(FramePtr frame);

  const FramePtr& frame() const { return frame_; }
  bool has_records() const { return frame_ && frame_->records && !layers_.empty(); }
  const AttentionRecordSet* records() const { return frame_ ? frame_->records.get() : nullptr; }

  // Cross-attention layers in recording order, with their native grids.
  const std::vector<CrossLayerInfo>& layers() const { return layers_; }
  // Recorded denoising step indices, ascending.
  const std::vector<int>& steps() const { return steps_; }
  // Heads per record when recorded per head (0 otherwise).
  int heads() const { return heads_; }
  bool has_self_attention() const { return has_self_; }
  // The grid the p2p and self-pca views aggregate: 16 when a down/up cross layer runs at 16
  // (Prompt-to-Prompt's), else the finest such grid (tiny models at small sizes).
  int p2p_resolution() const { return p2p_resolution_; }
  const std::vector<WordSpan>& spans() const { return spans_; }

  // Labels of the rows of maps(selection): tokens, words or principal components.
  QStringList labels(const HeatmapSelection& selection) const;
  // [rows, h, w] float32 for the selection (token/word rows; components for self-pca).
  // Rule for every view: the unnormalised view, then word_maps (word level) or normalise_maps
  // with selection.norm. Throws storyscope::Error when the records cannot give the view.
  at::Tensor maps(const HeatmapSelection& selection);
  void clear_cache() { cache_.clear(); }
  int cache_size() const { return cache_.size(); }

 private:
  at::Tensor compute(const HeatmapSelection& selection);
  const AttentionRecordSet& head_set(const QString& layer, int head);

  FramePtr frame_;
  std::vector<CrossLayerInfo> layers_;
  std::vector<int> steps_;
  std::vector<WordSpan> spans_;
  int heads_ = 0;
  bool has_self_ = false;
  int p2p_resolution_ = 16;
  QHash<QString, at::Tensor> cache_;
  QHash<QString, std::shared_ptr<AttentionRecordSet>> head_sets_;
};

}  // namespace storyscope::ui
