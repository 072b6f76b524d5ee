#pragma once
// What the user is looking at in the attention inspector: the view, layer, steps and token. The
// inspector emits it so the mask painter and the plots compute from the same maps.
#include <QMetaType>
#include <QString>

#include "core/analysis/attention_views.h"
#include "core/imaging/heatmap.h"

namespace storyscope::ui {

enum class HeatmapView { Layer, P2P, Daam, SelfPca };

// Stable identifiers (combo boxes, cache keys); labels for people come from tr() in the widgets.
QString view_id(HeatmapView view);

struct HeatmapSelection {
  HeatmapView view = HeatmapView::P2P;
  QString layer;  // the cross-attention layer of the Layer view (empty otherwise)
  StepRange steps = StepRange::all();
  int token = 0;           // row in the shown maps: a recorded token, or a word when word_level
  bool word_level = true;  // maps per word (word_spans) instead of per token
  int head = -1;           // -1: mean over heads; else one head (Layer view, per-head records)
  MapNorm norm = MapNorm::Max;

  bool operator==(const HeatmapSelection& o) const {
    return view == o.view && layer == o.layer && steps.first == o.steps.first && steps.last == o.steps.last &&
           token == o.token && word_level == o.word_level && head == o.head && norm == o.norm;
  }
  bool operator!=(const HeatmapSelection& o) const { return !(*this == o); }
};

}  // namespace storyscope::ui

Q_DECLARE_METATYPE(storyscope::ui::HeatmapSelection)
