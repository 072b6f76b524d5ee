#include "ui/alignment_scores.h"

#include <ATen/ATen.h>

#include <QCoreApplication>

#include "ui/mask_image.h"

namespace storyscope::ui {

HeatmapSelection alignment_selection(const HeatmapSelection& selection) {
  HeatmapSelection s = selection;
  s.word_level = true;
  s.norm = MapNorm::None;
  return s;
}

std::vector<WordAlignment> score_masks(HeatmapSource& source, const HeatmapSelection& selection,
                                       const QMap<QString, QImage>& masks, double tau) {
  std::vector<WordAlignment> out;
  if (!source.has_records()) return out;
  const auto& spans = source.spans();
  at::Tensor maps;
  QString problem;
  if (selection.view == HeatmapView::SelfPca) {
    problem = QCoreApplication::translate("AlignmentTable", "not defined for self-attention PCA");
  } else {
    try {
      maps = source.maps(alignment_selection(selection));
    } catch (const std::exception& e) {
      problem = QString::fromUtf8(e.what());
    }
  }
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const QString word = QString::fromStdString(spans[i].word);
    const auto mask = masks.find(word);
    if (mask == masks.end() || mask_is_empty(*mask)) continue;
    WordAlignment entry{word, static_cast<int>(i), std::nullopt, problem};
    if (maps.defined()) {
      try {
        entry.scores = score_alignment(maps[static_cast<std::int64_t>(i)], mask_tensor(*mask), tau);
      } catch (const std::exception& e) {
        entry.problem = QString::fromUtf8(e.what());
      }
    }
    out.push_back(entry);
  }
  return out;
}

}  // namespace storyscope::ui
