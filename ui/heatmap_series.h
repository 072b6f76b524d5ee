#pragma once
// The numbers the plots draw, all from the same cached maps as the inspector: attention mass per
// row (token or word) over the recorded steps, per layer for one row, and alignment scores over
// steps. "Mass" is the mean of the row's unnormalised map over its pixels (the average attention
// probability the token receives in the selected view).
#include <QImage>
#include <QMap>
#include <QString>
#include <QStringList>
#include <vector>

#include "ui/heatmap_selection.h"
#include "ui/heatmap_source.h"

namespace storyscope::ui {

struct StepSeries {
  std::vector<double> steps;                // x: recorded step indices
  QStringList names;                        // one series per name
  std::vector<std::vector<double>> values;  // values[series][step]
};

// The selection with no normalisation, as the mass is computed on (word or token rows kept).
HeatmapSelection mass_selection(const HeatmapSelection& selection);

// Mass of every row at each recorded step (selection.steps ignored). Empty for self-pca.
StepSeries mass_over_steps(HeatmapSource& source, const HeatmapSelection& selection);

// Mass of row selection.token in each cross layer over selection.steps (Layer view per layer,
// head as selected). Names are the layer names.
StepSeries mass_per_layer(HeatmapSource& source, const HeatmapSelection& selection);

enum class AlignmentMetric { Iou, Mse, MassInside };
// One series per masked word span: the metric at each recorded step for the selection's view.
StepSeries alignment_over_steps(HeatmapSource& source, const HeatmapSelection& selection,
                                const QMap<QString, QImage>& masks, AlignmentMetric metric);

}  // namespace storyscope::ui
