#include "ui/heatmap_series.h"

#include <ATen/ATen.h>

#include <cmath>

#include "ui/alignment_scores.h"

namespace storyscope::ui {

HeatmapSelection mass_selection(const HeatmapSelection& selection) {
  HeatmapSelection s = selection;
  s.norm = MapNorm::None;
  return s;
}

StepSeries mass_over_steps(HeatmapSource& source, const HeatmapSelection& selection) {
  StepSeries out;
  if (!source.has_records() || selection.view == HeatmapView::SelfPca) return out;
  HeatmapSelection s = mass_selection(selection);
  out.names = source.labels(s);
  out.values.assign(static_cast<std::size_t>(out.names.size()), {});
  for (int step : source.steps()) {
    s.steps = StepRange::single(step);
    const at::Tensor mass = source.maps(s).mean({1, 2}).to(at::kDouble).contiguous();
    out.steps.push_back(step);
    for (std::size_t r = 0; r < out.values.size() && r < static_cast<std::size_t>(mass.size(0)); ++r)
      out.values[r].push_back(mass[static_cast<std::int64_t>(r)].item<double>());
  }
  return out;
}

StepSeries mass_per_layer(HeatmapSource& source, const HeatmapSelection& selection) {
  StepSeries out;
  if (!source.has_records() || selection.view == HeatmapView::SelfPca) return out;
  HeatmapSelection s = mass_selection(selection);
  s.view = HeatmapView::Layer;
  out.values.emplace_back();
  for (const CrossLayerInfo& layer : source.layers()) {
    s.layer = layer.name;
    const at::Tensor maps = source.maps(s);
    if (selection.token < 0 || selection.token >= maps.size(0)) return {};
    out.names << layer.name;
    out.steps.push_back(static_cast<double>(out.steps.size()));
    out.values[0].push_back(maps[selection.token].mean().item<double>());
  }
  return out;
}

StepSeries alignment_over_steps(HeatmapSource& source, const HeatmapSelection& selection,
                                const QMap<QString, QImage>& masks, AlignmentMetric metric) {
  StepSeries out;
  if (!source.has_records() || selection.view == HeatmapView::SelfPca || masks.isEmpty()) return out;
  HeatmapSelection s = selection;
  for (int step : source.steps()) {
    s.steps = StepRange::single(step);
    const std::vector<WordAlignment> scores = score_masks(source, s, masks);
    if (out.names.isEmpty()) {
      for (const WordAlignment& w : scores) out.names << w.word;
      out.values.assign(scores.size(), {});
    }
    out.steps.push_back(step);
    for (std::size_t i = 0; i < scores.size() && i < out.values.size(); ++i) {
      const auto& sc = scores[i].scores;
      const double v = !sc                              ? std::nan("")
                       : metric == AlignmentMetric::Iou ? sc->iou
                       : metric == AlignmentMetric::Mse ? sc->mse
                                                        : sc->mass_inside;
      out.values[i].push_back(v);
    }
  }
  return out;
}

}  // namespace storyscope::ui
