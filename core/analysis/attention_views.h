#pragma once
// Views over recorded attention (DESIGN §3 "AttentionStore and views"): one layer, the
// Prompt-to-Prompt aggregate, DAAM, word-level maps and the principal components of a
// self-attention matrix. Every view reads the same AttentionRecordSet and returns float32 maps;
// asking for something that was not recorded throws a BadInput Error that names what was asked
// for and what the set holds.
#include <ATen/Tensor.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/attention/attention_record.h"
#include "core/attention/layer_info.h"

namespace storyscope {

struct Encoding;

// Inclusive step range; last < 0 means "through the last recorded step".
struct StepRange {
  int first = 0;
  int last = -1;
  static StepRange all() { return {0, -1}; }
  static StepRange single(int step) { return {step, step}; }
};

// The recorded token rows (indices into AttentionRecordSet::tokens) that make one word.
struct WordSpan {
  std::string word;
  std::vector<std::int64_t> token_indices;
};

enum class MapNorm { None, Max, MinMax };

// The grids (cells along the shorter side) the down/up cross-attention layers of a UNet with
// `sample_size` run at for a latent_h x latent_w latent: a layer whose native query grid is H
// high runs at latent / (sample_size / H). Which p2p resolutions a run can aggregate.
std::set<std::int64_t> cross_attention_grids(const std::vector<LayerInfo>& layers, std::int64_t sample_size,
                                             std::int64_t latent_h, std::int64_t latent_w);

// [tokens, h, w] float32: one cross-attention record, mean over heads when recorded per head.
at::Tensor record_token_maps(const AttentionRecord& record);

// [tokens, h, w]: one cross-attention layer, mean over heads and over the recorded steps in the
// range. Steps recorded at different grids (pooled by the store) are bilinearly resized to the
// finest grid among them before the mean.
at::Tensor layer_view(const AttentionRecordSet& set, const std::string& layer, StepRange steps = {},
                      int batch_row = 0);

// [tokens, R, R] (Prompt-to-Prompt's aggregate_attention): mean over the cross layers whose native
// grid is R x R (for a non-square latent: whose shorter side is R) in the given places, over heads
// and steps (each layer's step mean first, then the mean over layers), then each token divided by
// its max when `normalise`. With the defaults on SD 1.x at 512 px these are the five 16x16 layers
// of down_blocks.2 and up_blocks.1, not the mid block.
at::Tensor p2p_view(const AttentionRecordSet& set, StepRange steps = {}, int resolution = 16,
                    const std::vector<Place>& places = {Place::Down, Place::Up}, int batch_row = 0,
                    bool normalise = true);

// [tokens, latent_h, latent_w] (DAAM): every cross layer except those at the coarsest native grid,
// each (layer, step) map bicubically upsampled to the latent size and clamped >= 0 (per head when
// heads were recorded, as DAAM does), averaged, then min-max normalised per token when
// `normalise`. For word maps call daam_word_view: DAAM averages sub-tokens before normalising.
at::Tensor daam_view(const AttentionRecordSet& set, StepRange steps = {}, int batch_row = 0,
                     bool normalise = true);

// [words, h, w]: each word's map is the mean of its sub-token maps, then normalised per word.
at::Tensor word_maps(const at::Tensor& token_maps, const std::vector<WordSpan>& spans,
                     MapNorm norm = MapNorm::None);

// DAAM word maps: mean of the unnormalised sub-token maps, then min-max per word.
at::Tensor daam_word_view(const AttentionRecordSet& set, const std::vector<WordSpan>& spans,
                          StepRange steps = {}, int batch_row = 0);

// One span per tokenizer word (Encoding::words) that has at least one recorded token;
// `text` is the string that was encoded (the word's text is its byte range in it).
std::vector<WordSpan> word_spans(const Encoding& encoding, std::string_view text,
                                 const std::vector<std::int64_t>& token_positions);

// Per-map normalisation over the last two dims of [n, h, w]; a constant map becomes zeros.
at::Tensor normalise_maps(const at::Tensor& maps, MapNorm norm);

struct SelfPcaOptions {
  std::string layer;    // one self-attention layer; empty: all self layers at `resolution`
  int resolution = 16;  // native grid R x R, used when `layer` is empty
  std::vector<Place> places = {Place::Down, Place::Up};
  StepRange steps;
  int components = 3;
  int batch_row = 0;
};

struct SelfPcaView {
  // [k, h, w] float32: rows of V^T from the SVD (float64) of the mean self-attention matrix
  // [hw, hw] with each row's mean subtracted (as Prompt-to-Prompt's show_self_attention_comp),
  // reshaped to the grid. Unit-norm, unscaled. Sign: an SVD's sign is arbitrary, so each component
  // is flipped to make the first entry (in raster order) whose magnitude is at least half the
  // component's largest magnitude positive. Prompt-to-Prompt displays each min-max normalised.
  at::Tensor components;
  at::Tensor singular_values;  // [k] float64
  std::int64_t height = 0, width = 0;
  std::vector<std::string> layers;  // the layers that were averaged
};

SelfPcaView self_pca_view(const AttentionRecordSet& set, const SelfPcaOptions& options = {});

}  // namespace storyscope
