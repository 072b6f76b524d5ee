#pragma once
// How well an attention map matches a mask (DESIGN §3): Break-A-Scene's MSE, IoU at a threshold,
// the share of attention mass inside the mask and the threshold that maximises IoU; a table of
// those over every (word, layer, step) and the p2p/daam views, as JSON or CSV.
//
// Conventions: the mask is nearest-resized to the map's grid (PyTorch's "nearest") and
// binarised at 0.5 (a mask PNG is expected as [H,W] in [0,1]). The map A is clamped >= 0 and
// divided by its max, Break-A-Scene style, before both MSE and thresholding: IoU compares
// A / max A >= tau with the mask. A map that is zero everywhere scores IoU 0 and mass 0.
#include <ATen/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/analysis/attention_views.h"

namespace storyscope {

struct AlignmentScores {
  double mse = 0.0;          // mean((M - A / max A)^2)
  double iou = 0.0;          // IoU of (A / max A >= tau) with M
  double mass_inside = 0.0;  // sum(A * M) / sum(A)
  double best_tau = 0.0;     // tau in {0.05, 0.10, ..., 0.95} with the highest IoU (lowest on ties)
  double best_iou = 0.0;
};

// map [h, w], mask [H, W]; throws BadInput when the mask has no foreground or either is not 2-D.
AlignmentScores score_alignment(const at::Tensor& map, const at::Tensor& mask, double tau = 0.4);

struct AlignmentRow {
  std::string word;
  int word_index = 0;  // index in the spans, to tell repeated words apart
  std::string view;    // "layer", "p2p" or "daam"
  std::string layer;   // empty for p2p/daam
  int step = -1;       // -1 for p2p/daam (mean over every recorded step)
  double timestep = 0.0;
  std::int64_t height = 0, width = 0;  // grid the scores were computed at
  double tau = 0.4;
  AlignmentScores scores;
};

struct AlignmentOptions {
  double tau = 0.4;
  int batch_row = 0;
  bool p2p = true;  // add a p2p row per word (throws when no layer at p2p_resolution was recorded)
  int p2p_resolution = 16;
  bool daam = true;
};

// Rows per masked word (spans order): one per (cross layer, step), layers in recording order
// and steps ascending, then p2p,
// then daam. Every key of `masks` must name a word of `spans` (all occurrences are scored).
std::vector<AlignmentRow> alignment_table(const AttentionRecordSet& set,
                                          const std::map<std::string, at::Tensor>& masks,
                                          const std::vector<WordSpan>& spans,
                                          const AlignmentOptions& options = {});

// A JSON array of objects with the CSV's columns, in that order; for p2p/daam rows layer, step and
// timestep are null.
std::string to_json(const std::vector<AlignmentRow>& rows);
// Header "word,word_index,view,layer,step,timestep,height,width,tau,mse,iou,mass_inside,best_tau,
// best_iou", CRLF line ends and quoting per RFC 4180; numbers in shortest round-trip form (as
// the JSON); p2p/daam rows leave layer, step and timestep empty.
std::string to_csv(const std::vector<AlignmentRow>& rows);

}  // namespace storyscope
