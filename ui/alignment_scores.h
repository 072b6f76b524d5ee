#pragma once
// Alignment of each masked word's attention with its mask for one selection, through the core
// score_alignment (Break-A-Scene MSE, IoU at tau, mass inside). The word's map is the selection's
// view at word level, unnormalised (score_alignment divides by the max itself).
#include <QImage>
#include <QMap>
#include <QString>
#include <optional>
#include <vector>

#include "core/analysis/alignment.h"
#include "ui/heatmap_selection.h"
#include "ui/heatmap_source.h"

namespace storyscope::ui {

struct WordAlignment {
  QString word;
  int word_index = 0;                     // index in the frame's word spans
  std::optional<AlignmentScores> scores;  // empty when the map could not be scored
  QString problem;                        // why not, for the table
};

// The selection the scores use: `selection` at word level with no normalisation.
HeatmapSelection alignment_selection(const HeatmapSelection& selection);

// One entry per word span whose word has a non-empty mask in `masks`, in prompt order.
std::vector<WordAlignment> score_masks(HeatmapSource& source, const HeatmapSelection& selection,
                                       const QMap<QString, QImage>& masks, double tau = 0.4);

}  // namespace storyscope::ui
