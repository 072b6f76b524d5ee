#include "core/analysis/attention_views.h"

#include <ATen/ATen.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/text/clip_tokenizer.h"

namespace storyscope {
namespace {

namespace F = torch::nn::functional;

const char* kFile = "attention records";

std::string grid_text(std::int64_t h, std::int64_t w) { return std::to_string(h) + "x" + std::to_string(w); }

std::int64_t native_h(const AttentionRecord& r) { return r.native_height > 0 ? r.native_height : r.height; }
std::int64_t native_w(const AttentionRecord& r) { return r.native_width > 0 ? r.native_width : r.width; }

std::string places_text(const std::vector<Place>& places) {
  std::string out;
  for (Place p : places) out += (out.empty() ? "" : "+") + std::string(place_name(p));
  return out;
}

// What the set holds, for error messages: each layer of the kind the view reads once, with its
// place and native grid, then the steps and batch rows.
enum class Kind { Cross, Self };

std::string recorded_summary(const AttentionRecordSet& set, Kind kind) {
  if (set.records.empty()) return "nothing is recorded";
  const bool want_cross = kind == Kind::Cross;
  std::vector<std::string> layers;
  std::set<std::string> seen;
  std::set<int> steps, rows;
  std::size_t other = 0;
  for (const auto& r : set.records) {
    steps.insert(r.step);
    rows.insert(r.batch_row);
    if (!seen.insert(r.layer).second) continue;
    if (r.is_cross != want_cross) {
      ++other;
      continue;
    }
    layers.push_back(r.layer + " (" + place_name(r.place) + ", " + grid_text(native_h(r), native_w(r)) + ")");
  }
  std::ostringstream out;
  const char* kind_name = want_cross ? "cross" : "self";
  if (layers.empty()) {
    out << "no " << kind_name << "-attention layer is recorded (" << other << " "
        << (want_cross ? "self" : "cross") << "-attention layers are)";
  } else {
    out << "recorded " << kind_name << "-attention layers: ";
    for (std::size_t i = 0; i < layers.size(); ++i) out << (i ? ", " : "") << layers[i];
  }
  if (steps.size() <= 8) {
    out << (steps.size() == 1 ? "; step" : "; steps");
    const char* sep = " ";
    for (int st : steps) out << sep << st, sep = ", ";
  } else {
    out << "; steps " << *steps.begin() << "-" << *steps.rbegin() << " (" << steps.size() << " recorded)";
  }
  out << "; batch rows";
  for (int r : rows) out << " " << r;
  return out.str();
}

[[noreturn]] void fail(const AttentionRecordSet& set, Kind kind, const std::string& view,
                       const std::string& what) {
  throw_bad_input(kFile, view, what + "; " + recorded_summary(set, kind));
}

// The inclusive range with "last < 0" resolved to the last recorded step.
std::pair<int, int> resolve(const AttentionRecordSet& set, StepRange steps, const std::string& view) {
  int last = steps.last;
  if (last < 0) {
    last = -1;
    for (const auto& r : set.records) last = std::max(last, r.step);
  }
  if (steps.first > last)
    throw_bad_input(
        kFile, view,
        steps.last >= 0
            ? "step range " + std::to_string(steps.first) + "-" + std::to_string(steps.last) + " is empty"
            : "no step from " + std::to_string(steps.first) + " on is recorded (the last recorded step is " +
                  std::to_string(last) + ")");
  return {steps.first, last};
}

std::string range_text(std::pair<int, int> r) {
  return r.first == r.second ? "step " + std::to_string(r.first)
                             : "steps " + std::to_string(r.first) + "-" + std::to_string(r.second);
}

// Cross record -> float32 [heads, tokens, h, w] (heads = 1 unless recorded per head).
at::Tensor cross_maps(const AttentionRecord& r, std::int64_t tokens) {
  auto p = r.probs.to(at::kFloat);
  if (!r.per_head) p = p.unsqueeze(0);
  if (p.dim() != 3 || p.size(2) != r.height * r.width || (tokens > 0 && p.size(1) != tokens))
    throw_bad_input(kFile, r.layer + " step " + std::to_string(r.step),
                    "cross-attention probabilities have shape " + c10::str(r.probs.sizes()) + ", expected [" +
                        (r.per_head ? "heads, " : "") + std::to_string(tokens) + ", " +
                        std::to_string(r.height * r.width) + "]");
  return p.reshape({p.size(0), p.size(1), r.height, r.width});
}

at::Tensor resize(const at::Tensor& maps4d, std::int64_t h, std::int64_t w, bool bicubic) {
  if (maps4d.size(2) == h && maps4d.size(3) == w) return maps4d;
  auto opts = F::InterpolateFuncOptions().size(std::vector<std::int64_t>{h, w}).align_corners(false);
  opts = bicubic ? opts.mode(torch::kBicubic) : opts.mode(torch::kBilinear);
  return F::interpolate(maps4d, opts);
}

// The cross records of one batch row in the step range, grouped by layer in recording order.
std::vector<std::pair<std::string, std::vector<const AttentionRecord*>>> cross_by_layer(
    const AttentionRecordSet& set, std::pair<int, int> range, int batch_row) {
  std::vector<std::pair<std::string, std::vector<const AttentionRecord*>>> out;
  std::map<std::string, std::size_t> index;
  for (const auto& r : set.records) {
    if (!r.is_cross || r.batch_row != batch_row || r.step < range.first || r.step > range.second) continue;
    auto it = index.find(r.layer);
    if (it == index.end()) {
      it = index.emplace(r.layer, out.size()).first;
      out.push_back({r.layer, {}});
    }
    out[it->second].second.push_back(&r);
  }
  return out;
}

// Mean over heads and steps of one layer's records -> [tokens, h, w] at the finest stored grid.
at::Tensor layer_mean(const std::vector<const AttentionRecord*>& records, std::int64_t tokens) {
  std::int64_t h = 0, w = 0;
  for (const auto* r : records)
    if (r->height * r->width > h * w) h = r->height, w = r->width;
  at::Tensor sum;
  for (const auto* r : records) {
    auto m = resize(cross_maps(*r, tokens).mean(0, /*keepdim=*/true), h, w, false).squeeze(0);
    sum = sum.defined() ? sum + m : m;
  }
  return sum / static_cast<double>(records.size());
}

std::int64_t token_count(const AttentionRecordSet& set) {
  return static_cast<std::int64_t>(set.tokens.size());
}

bool matches_resolution(std::int64_t h, std::int64_t w, int resolution) {
  return (h == resolution && w == resolution) || (h != w && std::min(h, w) == resolution);
}

void fix_sign(at::Tensor& v) {
  auto a = v.abs();
  const double half = a.max().item<double>() * 0.5;
  auto acc = v.accessor<double, 1>();
  for (std::int64_t i = 0; i < v.size(0); ++i) {
    if (std::abs(acc[i]) >= half && half > 0) {
      if (acc[i] < 0) v.neg_();
      return;
    }
  }
}

}  // namespace

std::set<std::int64_t> cross_attention_grids(const std::vector<LayerInfo>& layers, std::int64_t sample_size,
                                             std::int64_t latent_h, std::int64_t latent_w) {
  std::set<std::int64_t> grids;
  if (sample_size <= 0) return grids;
  for (const LayerInfo& l : layers) {
    if (!l.is_cross || (l.place != Place::Down && l.place != Place::Up) || l.height <= 0) continue;
    const std::int64_t factor = std::max<std::int64_t>(1, sample_size / l.height);
    grids.insert(std::min(latent_h, latent_w) / factor);
  }
  return grids;
}

at::Tensor normalise_maps(const at::Tensor& maps, MapNorm norm) {
  if (norm == MapNorm::None) return maps;
  auto flat = maps.reshape({maps.size(0), -1});
  auto hi = std::get<0>(flat.max(1, true));
  if (norm == MapNorm::Max) {
    auto safe = at::where(hi > 0, hi, at::ones_like(hi));
    return at::where(hi > 0, flat / safe, at::zeros_like(flat)).reshape(maps.sizes());
  }
  auto lo = std::get<0>(flat.min(1, true));
  auto range = hi - lo;
  auto safe = at::where(range > 0, range, at::ones_like(range));
  return at::where(range > 0, (flat - lo) / safe, at::zeros_like(flat)).reshape(maps.sizes());
}

at::Tensor record_token_maps(const AttentionRecord& record) {
  if (!record.is_cross)
    throw_bad_input(kFile, record.layer + " step " + std::to_string(record.step),
                    "token maps need a cross-attention record; this one is self-attention");
  return cross_maps(record, 0).mean(0);
}

at::Tensor layer_view(const AttentionRecordSet& set, const std::string& layer, StepRange steps,
                      int batch_row) {
  const std::string view = "layer view of " + layer;
  const auto range = resolve(set, steps, view);
  for (const auto& [name, records] : cross_by_layer(set, range, batch_row))
    if (name == layer) return layer_mean(records, token_count(set));
  fail(set, Kind::Cross, view,
       "no cross-attention record of layer " + layer + " at " + range_text(range) + ", batch row " +
           std::to_string(batch_row));
}

at::Tensor p2p_view(const AttentionRecordSet& set, StepRange steps, int resolution,
                    const std::vector<Place>& places, int batch_row, bool normalise) {
  const std::string view = "p2p view";
  const auto range = resolve(set, steps, view);
  at::Tensor sum;
  std::int64_t h = 0, w = 0, n = 0;
  for (const auto& [name, records] : cross_by_layer(set, range, batch_row)) {
    const auto& r = *records.front();
    if (std::find(places.begin(), places.end(), r.place) == places.end()) continue;
    if (!matches_resolution(native_h(r), native_w(r), resolution)) continue;
    if (!sum.defined()) h = native_h(r), w = native_w(r);
    auto m = resize(layer_mean(records, token_count(set)).unsqueeze(0), h, w, false).squeeze(0);
    sum = sum.defined() ? sum + m : m;
    ++n;
  }
  if (n == 0)
    fail(set, Kind::Cross, view,
         "no " + places_text(places) + " cross-attention layer at " + grid_text(resolution, resolution) +
             " for " + range_text(range) + ", batch row " + std::to_string(batch_row));
  auto mean = sum / static_cast<double>(n);
  return normalise ? normalise_maps(mean, MapNorm::Max) : mean;
}

at::Tensor daam_view(const AttentionRecordSet& set, StepRange steps, int batch_row, bool normalise) {
  const std::string view = "daam view";
  const auto range = resolve(set, steps, view);
  // The coarsest grid is judged over every recorded step so that the layer choice does not depend
  // on the range asked for.
  std::int64_t coarsest = -1, finest_h = 0, finest_w = 0;
  for (const auto& r : set.records) {
    if (!r.is_cross || r.batch_row != batch_row) continue;
    const auto area = native_h(r) * native_w(r);
    if (coarsest < 0 || area < coarsest) coarsest = area;
    if (area > finest_h * finest_w) finest_h = native_h(r), finest_w = native_w(r);
  }
  const std::int64_t lh = set.latent_height > 0 ? set.latent_height : finest_h;
  const std::int64_t lw = set.latent_width > 0 ? set.latent_width : finest_w;
  at::Tensor sum;
  std::int64_t n = 0;
  for (const auto& [name, records] : cross_by_layer(set, range, batch_row)) {
    for (const auto* r : records) {
      if (native_h(*r) * native_w(*r) == coarsest) continue;
      // Clamp per head before the head mean: bicubic overshoots below zero near sharp edges.
      auto m = resize(cross_maps(*r, token_count(set)), lh, lw, true).clamp_min(0).mean(0);
      sum = sum.defined() ? sum + m : m;
      ++n;
    }
  }
  if (n == 0)
    fail(set, Kind::Cross, view,
         "DAAM needs a cross-attention layer finer than the coarsest recorded grid at " + range_text(range) +
             ", batch row " + std::to_string(batch_row));
  auto mean = sum / static_cast<double>(n);
  return normalise ? normalise_maps(mean, MapNorm::MinMax) : mean;
}

at::Tensor word_maps(const at::Tensor& token_maps, const std::vector<WordSpan>& spans, MapNorm norm) {
  std::vector<at::Tensor> words;
  words.reserve(spans.size());
  for (const auto& span : spans) {
    if (span.token_indices.empty())
      throw_bad_input(kFile, "word '" + span.word + "'", "the word has no recorded tokens");
    for (auto i : span.token_indices)
      if (i < 0 || i >= token_maps.size(0))
        throw_bad_input(kFile, "word '" + span.word + "'",
                        "token index " + std::to_string(i) + " is outside the " +
                            std::to_string(token_maps.size(0)) + " recorded tokens");
    auto idx = at::tensor(span.token_indices, at::kLong);
    words.push_back(token_maps.index_select(0, idx).mean(0));
  }
  if (words.empty()) return at::empty({0, token_maps.size(1), token_maps.size(2)}, token_maps.options());
  return normalise_maps(at::stack(words), norm);
}

at::Tensor daam_word_view(const AttentionRecordSet& set, const std::vector<WordSpan>& spans, StepRange steps,
                          int batch_row) {
  return word_maps(daam_view(set, steps, batch_row, /*normalise=*/false), spans, MapNorm::MinMax);
}

std::vector<WordSpan> word_spans(const Encoding& encoding, std::string_view text,
                                 const std::vector<std::int64_t>& token_positions) {
  std::vector<WordSpan> out;
  for (const auto& w : encoding.words) {
    WordSpan span;
    if (w.char_begin <= w.char_end && w.char_end <= text.size())
      span.word = std::string(text.substr(w.char_begin, w.char_end - w.char_begin));
    for (std::size_t i = 0; i < token_positions.size(); ++i)
      if (token_positions[i] >= w.token_begin && token_positions[i] < w.token_end)
        span.token_indices.push_back(static_cast<std::int64_t>(i));
    if (!span.token_indices.empty()) out.push_back(std::move(span));
  }
  return out;
}

SelfPcaView self_pca_view(const AttentionRecordSet& set, const SelfPcaOptions& options) {
  const std::string view = "self-attention PCA";
  const auto range = resolve(set, options.steps, view);
  if (options.components < 1) throw_bad_input(kFile, view, "components must be at least 1");
  std::vector<std::string> order;
  std::map<std::string, std::vector<const AttentionRecord*>> by_layer;
  for (const auto& r : set.records) {
    if (r.is_cross || r.batch_row != options.batch_row || r.step < range.first || r.step > range.second)
      continue;
    if (!options.layer.empty()
            ? r.layer != options.layer
            : (std::find(options.places.begin(), options.places.end(), r.place) == options.places.end() ||
               !matches_resolution(native_h(r), native_w(r), options.resolution)))
      continue;
    if (by_layer[r.layer].empty()) order.push_back(r.layer);
    by_layer[r.layer].push_back(&r);
  }
  if (order.empty())
    fail(set, Kind::Self, view,
         "no self-attention record " +
             (options.layer.empty() ? "of a " + places_text(options.places) + " layer at " +
                                          grid_text(options.resolution, options.resolution)
                                    : "of layer " + options.layer) +
             " at " + range_text(range) + ", batch row " + std::to_string(options.batch_row));

  SelfPcaView out;
  out.height = by_layer[order.front()].front()->height;
  out.width = by_layer[order.front()].front()->width;
  const auto hw = out.height * out.width;
  at::Tensor sum;
  for (const auto& name : order) {
    at::Tensor layer_sum;
    for (const auto* r : by_layer[name]) {
      auto p = r->probs.to(at::kDouble);
      if (r->per_head) p = p.mean(0);
      if (r->height != out.height || r->width != out.width || p.dim() != 2 || p.size(0) != hw ||
          p.size(1) != hw)
        throw_bad_input(kFile, view,
                        "layer " + name + " step " + std::to_string(r->step) + " holds " +
                            c10::str(r->probs.sizes()) + " at " + grid_text(r->height, r->width) +
                            ", expected [" + std::to_string(hw) + ", " + std::to_string(hw) + "] at " +
                            grid_text(out.height, out.width));
      layer_sum = layer_sum.defined() ? layer_sum + p : p;
    }
    auto m = layer_sum / static_cast<double>(by_layer[name].size());
    sum = sum.defined() ? sum + m : m;
  }
  auto matrix = sum / static_cast<double>(order.size());
  auto centred = matrix - matrix.mean(1, /*keepdim=*/true);
  auto svd = at::linalg_svd(centred, /*full_matrices=*/false);
  const auto k = std::min<std::int64_t>(options.components, hw);
  auto vh = std::get<2>(svd).slice(0, 0, k).contiguous();
  for (std::int64_t i = 0; i < k; ++i) {
    auto row = vh[i];
    fix_sign(row);
  }
  out.components = vh.to(at::kFloat).reshape({k, out.height, out.width});
  out.singular_values = std::get<1>(svd).slice(0, 0, k).clone();
  out.layers = order;
  return out;
}

}  // namespace storyscope
