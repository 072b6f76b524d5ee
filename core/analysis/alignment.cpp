#include "core/analysis/alignment.h"

#include <ATen/ATen.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/common/error.h"

namespace storyscope {
namespace {

namespace F = torch::nn::functional;

const char* kFile = "alignment";

// Mask -> binary float64 [h, w] on the map's grid.
at::Tensor mask_on_grid(const at::Tensor& mask, std::int64_t h, std::int64_t w) {
  // An 8-bit mask is a PNG read as-is: 0..255.
  auto m = mask.scalar_type() == at::kByte ? mask.to(at::kDouble) / 255.0 : mask.to(at::kDouble);
  if (m.size(0) != h || m.size(1) != w)
    m = F::interpolate(
            m.unsqueeze(0).unsqueeze(0),
            F::InterpolateFuncOptions().size(std::vector<std::int64_t>{h, w}).mode(torch::kNearest))
            .squeeze(0)
            .squeeze(0);
  return (m >= 0.5).to(at::kDouble);
}

double iou_at(const at::Tensor& a_norm, const at::Tensor& m, double tau) {
  auto a = a_norm >= tau;
  auto mb = m > 0.5;
  const double inter = (a & mb).sum().item<double>();
  const double uni = (a | mb).sum().item<double>();
  return uni > 0 ? inter / uni : 0.0;
}

std::string number(double v) { return nlohmann::json(v).dump(); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

AlignmentScores score_alignment(const at::Tensor& map, const at::Tensor& mask, double tau) {
  if (map.dim() != 2)
    throw_bad_input(kFile, "map", "expected a 2-D map [h, w], got " + c10::str(map.sizes()));
  if (mask.dim() != 2)
    throw_bad_input(kFile, "mask", "expected a 2-D mask [H, W], got " + c10::str(mask.sizes()));
  auto a = map.to(at::kDouble).clamp_min(0);
  auto m = mask_on_grid(mask, a.size(0), a.size(1));
  if (m.sum().item<double>() == 0)
    throw_bad_input(kFile, "mask",
                    "the mask has no foreground at " + std::to_string(a.size(0)) + "x" +
                        std::to_string(a.size(1)) + " (values >= 0.5 after nearest resizing from " +
                        c10::str(mask.sizes()) + ")");
  const double peak = a.max().item<double>();
  const double total = a.sum().item<double>();
  auto a_norm = peak > 0 ? a / peak : at::zeros_like(a);

  AlignmentScores s;
  s.mse = (m - a_norm).pow(2).mean().item<double>();
  s.iou = peak > 0 ? iou_at(a_norm, m, tau) : 0.0;
  s.mass_inside = total > 0 ? (a * m).sum().item<double>() / total : 0.0;
  s.best_tau = 0.05;
  s.best_iou = -1.0;
  // Integer steps so the grid is exactly k / 20, not an accumulated sum.
  for (int k = 1; k <= 19; ++k) {
    const double t = k / 20.0;
    const double v = peak > 0 ? iou_at(a_norm, m, t) : 0.0;
    if (v > s.best_iou) s.best_iou = v, s.best_tau = t;
  }
  return s;
}

std::vector<AlignmentRow> alignment_table(const AttentionRecordSet& set,
                                          const std::map<std::string, at::Tensor>& masks,
                                          const std::vector<WordSpan>& spans,
                                          const AlignmentOptions& options) {
  for (const auto& [word, mask] : masks) {
    if (std::none_of(spans.begin(), spans.end(), [&](const WordSpan& s) { return s.word == word; })) {
      std::string known;
      for (const auto& s : spans) known += (known.empty() ? "" : ", ") + ("'" + s.word + "'");
      throw_bad_input(kFile, "mask for '" + word + "'",
                      "no word '" + word + "' in the prompt; its words: " + known);
    }
  }
  std::vector<int> masked;
  for (std::size_t i = 0; i < spans.size(); ++i)
    if (masks.count(spans[i].word)) masked.push_back(static_cast<int>(i));
  if (masked.empty()) return {};

  // Layers in recording order, each with its steps ascending.
  std::vector<std::string> layers;
  std::map<std::string, std::vector<const AttentionRecord*>> by_layer;
  for (const auto& r : set.records) {
    if (!r.is_cross || r.batch_row != options.batch_row) continue;
    if (by_layer[r.layer].empty()) layers.push_back(r.layer);
    by_layer[r.layer].push_back(&r);
  }
  for (auto& [name, records] : by_layer)
    std::stable_sort(records.begin(), records.end(),
                     [](const AttentionRecord* a, const AttentionRecord* b) { return a->step < b->step; });

  std::vector<WordSpan> masked_spans;
  for (int i : masked) masked_spans.push_back(spans[i]);
  auto add_rows = [&](std::vector<AlignmentRow>& rows, const at::Tensor& word_maps_, const std::string& view,
                      const AttentionRecord* record) {
    for (std::size_t j = 0; j < masked.size(); ++j) {
      AlignmentRow row;
      row.word = masked_spans[j].word;
      row.word_index = masked[j];
      row.view = view;
      if (record) row.layer = record->layer, row.step = record->step, row.timestep = record->timestep;
      row.height = word_maps_.size(1);
      row.width = word_maps_.size(2);
      row.tau = options.tau;
      row.scores = score_alignment(word_maps_[j], masks.at(row.word), options.tau);
      rows.push_back(std::move(row));
    }
  };

  std::vector<AlignmentRow> rows;
  for (const auto& name : layers)
    for (const auto* r : by_layer[name])
      add_rows(rows, word_maps(record_token_maps(*r), masked_spans), "layer", r);
  if (options.p2p)
    add_rows(rows,
             word_maps(p2p_view(set, StepRange::all(), options.p2p_resolution, {Place::Down, Place::Up},
                                options.batch_row, /*normalise=*/false),
                       masked_spans, MapNorm::Max),
             "p2p", nullptr);
  if (options.daam)
    add_rows(rows, daam_word_view(set, masked_spans, StepRange::all(), options.batch_row), "daam", nullptr);

  // Group by word (spans order), keeping layer/step order within a word.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const AlignmentRow& a, const AlignmentRow& b) { return a.word_index < b.word_index; });
  return rows;
}

std::string to_json(const std::vector<AlignmentRow>& rows) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    nlohmann::ordered_json o;
    o["word"] = r.word;
    o["word_index"] = r.word_index;
    o["view"] = r.view;
    o["layer"] = r.layer.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.layer);
    o["step"] = r.step < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.step);
    o["timestep"] = r.step < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.timestep);
    o["height"] = r.height;
    o["width"] = r.width;
    o["tau"] = r.tau;
    o["mse"] = r.scores.mse;
    o["iou"] = r.scores.iou;
    o["mass_inside"] = r.scores.mass_inside;
    o["best_tau"] = r.scores.best_tau;
    o["best_iou"] = r.scores.best_iou;
    out.push_back(std::move(o));
  }
  return out.dump(2) + "\n";
}

std::string to_csv(const std::vector<AlignmentRow>& rows) {
  std::ostringstream out;
  out << "word,word_index,view,layer,step,timestep,height,width,tau,mse,iou,mass_inside,best_tau,best_"
         "iou\r\n";
  for (const auto& r : rows) {
    out << csv_field(r.word) << ',' << r.word_index << ',' << csv_field(r.view) << ',' << csv_field(r.layer)
        << ',' << (r.step < 0 ? "" : std::to_string(r.step)) << ',' << (r.step < 0 ? "" : number(r.timestep))
        << ',' << r.height << ',' << r.width << ',' << number(r.tau) << ',' << number(r.scores.mse) << ','
        << number(r.scores.iou) << ',' << number(r.scores.mass_inside) << ',' << number(r.scores.best_tau)
        << ',' << number(r.scores.best_iou) << "\r\n";
  }
  return out.str();
}

}  // namespace storyscope
