#include "ui/heatmap_source.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <set>

namespace storyscope::ui {

QString view_id(HeatmapView view) {
  switch (view) {
    case HeatmapView::Layer:
      return QStringLiteral("layer");
    case HeatmapView::P2P:
      return QStringLiteral("p2p");
    case HeatmapView::Daam:
      return QStringLiteral("daam");
    case HeatmapView::SelfPca:
      return QStringLiteral("self-pca");
  }
  return {};
}

namespace {

QString cache_key(const HeatmapSelection& s) {
  return QStringLiteral("%1|%2|%3|%4|%5|%6|%7")
      .arg(view_id(s.view), s.view == HeatmapView::Layer ? s.layer : QString())
      .arg(s.steps.first)
      .arg(s.steps.last)
      .arg(s.view == HeatmapView::Layer ? s.head : -1)
      .arg(s.view == HeatmapView::SelfPca ? 0 : int(s.word_level))
      .arg(int(s.norm));
}

}  // namespace

HeatmapSource::HeatmapSource(FramePtr frame) : frame_(std::move(frame)) {
  if (!frame_ || !frame_->records) return;
  const AttentionRecordSet& set = *frame_->records;
  std::set<int> steps;
  std::set<std::int64_t> grids;
  for (const AttentionRecord& r : set.records) {
    if (!r.is_cross) {
      has_self_ = true;
      continue;
    }
    steps.insert(r.step);
    if (r.per_head && r.probs.defined()) heads_ = static_cast<int>(r.probs.size(0));
    const QString name = QString::fromStdString(r.layer);
    const bool known =
        std::any_of(layers_.begin(), layers_.end(), [&](const CrossLayerInfo& l) { return l.name == name; });
    if (!known) layers_.push_back({name, r.place, r.native_height, r.native_width});
    if (r.place == Place::Down || r.place == Place::Up)
      grids.insert(std::min(r.native_height, r.native_width));
  }
  steps_.assign(steps.begin(), steps.end());
  if (!grids.empty() && !grids.count(16)) p2p_resolution_ = static_cast<int>(*grids.rbegin());
  spans_ = word_spans(frame_->encoding, frame_->prompt.toStdString(), set.token_positions);
}

QStringList HeatmapSource::labels(const HeatmapSelection& selection) const {
  QStringList out;
  if (!frame_ || !frame_->records) return out;
  if (selection.view == HeatmapView::SelfPca) {
    for (int k = 0; k < 3; ++k) out << QStringLiteral("pc%1").arg(k + 1);
  } else if (selection.word_level) {
    for (const WordSpan& s : spans_) out << QString::fromStdString(s.word);
  } else {
    for (const std::string& t : frame_->records->tokens) out << QString::fromStdString(t);
  }
  return out;
}

at::Tensor HeatmapSource::maps(const HeatmapSelection& selection) {
  const QString key = cache_key(selection);
  auto it = cache_.find(key);
  if (it != cache_.end()) return *it;
  at::Tensor result = compute(selection);
  cache_.insert(key, result);
  return result;
}

const AttentionRecordSet& HeatmapSource::head_set(const QString& layer, int head) {
  const QString key = layer + QLatin1Char('#') + QString::number(head);
  auto it = head_sets_.find(key);
  if (it != head_sets_.end()) return **it;
  // A set holding only this layer's records with one head kept, so the core layer view (which
  // averages heads) returns that head's maps.
  auto set = std::make_shared<AttentionRecordSet>(*frame_->records);
  set->records.clear();
  for (const AttentionRecord& r : frame_->records->records) {
    if (!r.is_cross || QString::fromStdString(r.layer) != layer) continue;
    AttentionRecord copy = r;
    if (r.per_head) copy.probs = r.probs.narrow(0, head, 1);
    set->records.push_back(std::move(copy));
  }
  head_sets_.insert(key, set);
  return *set;
}

at::Tensor HeatmapSource::compute(const HeatmapSelection& s) {
  const AttentionRecordSet& set = *frame_->records;
  if (s.view == HeatmapView::SelfPca) {
    SelfPcaOptions o;
    o.resolution = p2p_resolution_;
    o.steps = s.steps;
    return normalise_maps(self_pca_view(set, o).components, MapNorm::MinMax);
  }
  at::Tensor raw;
  switch (s.view) {
    case HeatmapView::Layer: {
      const bool one_head = s.head >= 0 && s.head < heads_;
      raw = layer_view(one_head ? head_set(s.layer, s.head) : set, s.layer.toStdString(), s.steps);
      break;
    }
    case HeatmapView::P2P:
      raw = p2p_view(set, s.steps, p2p_resolution_, {Place::Down, Place::Up}, 0, false);
      break;
    case HeatmapView::Daam:
      raw = daam_view(set, s.steps, 0, false);
      break;
    case HeatmapView::SelfPca:
      break;
  }
  return s.word_level ? word_maps(raw, spans_, s.norm) : normalise_maps(raw, s.norm);
}

}  // namespace storyscope::ui
