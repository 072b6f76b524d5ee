#include "core/attention/ipca.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/common/error.h"

namespace storyscope {

namespace {

constexpr const char* kOptions = "IpcaOptions";
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// "down" / "up" with an optional block index, or "mid" (a single block). block -1 = every block.
bool parse_position(const std::string& name, Place& place, int& block) {
  std::string digits;
  if (name.rfind("down", 0) == 0) {
    place = Place::Down;
    digits = name.substr(4);
  } else if (name.rfind("up", 0) == 0) {
    place = Place::Up;
    digits = name.substr(2);
  } else if (name == "mid") {
    place = Place::Mid;
  } else {
    return false;
  }
  block = -1;
  if (digits.empty()) return true;
  if (digits.size() > 3 ||
      !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  block = std::stoi(digits);
  return true;
}

// splitmix64's finaliser: a cheap, well-mixed 64-bit hash step.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The dropout generator's seed: the same (seed, step, layer) always draws the same masks, and
// every layer and step draws different ones.
std::uint64_t dropout_seed(std::uint64_t seed, int step, const std::string& layer) {
  std::uint64_t name_hash = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : layer) name_hash = (name_hash ^ c) * 0x100000001b3ULL;
  return mix64(mix64(mix64(seed) ^ static_cast<std::uint64_t>(static_cast<std::int64_t>(step))) ^ name_hash);
}

}  // namespace

void validate_ipca_positions(const std::vector<std::string>& positions, const std::string& source,
                             const std::string& field) {
  for (std::size_t i = 0; i < positions.size(); ++i) {
    Place place;
    int block;
    if (!parse_position(positions[i], place, block))
      throw_bad_input(source, field + "[" + std::to_string(i) + "]",
                      "unknown IPCA position \"" + positions[i] +
                          "\": expected down, mid, up or one block such as down1 or up0");
  }
}

IpcaModifier::IpcaModifier(IpcaOptions options) : options_(std::move(options)) {
  validate_ipca_positions(options_.positions, kOptions, "positions");
  if (!(options_.dropout >= 0.0 && options_.dropout < 1.0))
    throw_bad_input(kOptions, "dropout", "must be in [0, 1), got " + std::to_string(options_.dropout));
  for (const auto& name : options_.positions) {
    Place place;
    int block;
    parse_position(name, place, block);
    places_.emplace_back(place, block);
  }
}

void IpcaModifier::set_identity(const at::Tensor& identity, std::vector<std::int64_t> keep,
                                std::vector<std::uint64_t> row_keys) {
  if (!identity.defined() || identity.dim() != 3 || identity.size(0) < 1 || identity.size(1) < 1)
    throw_bad_input(kOptions, "identity", "must be a [R, T, D] embedding with R, T >= 1");
  for (std::size_t i = 0; i < keep.size(); ++i)
    if (keep[i] < 0 || keep[i] >= identity.size(1))
      throw_bad_input(kOptions, "keep[" + std::to_string(i) + "]",
                      "position " + std::to_string(keep[i]) + " is outside the identity's " +
                          std::to_string(identity.size(1)) + " tokens");
  if (!row_keys.empty() && static_cast<std::int64_t>(row_keys.size()) != identity.size(0))
    throw_bad_input(
        kOptions, "row_keys",
        std::to_string(row_keys.size()) + " keys for " + std::to_string(identity.size(0)) + " identity rows");
  std::lock_guard<std::mutex> lock(mutex_);
  identity_ = identity.detach();
  keep_ = std::move(keep);
  row_keys_ = std::move(row_keys);
  cache_.clear();
  projections_ = 0;
}

void IpcaModifier::clear_identity() {
  std::lock_guard<std::mutex> lock(mutex_);
  identity_ = at::Tensor();
  keep_.clear();
  row_keys_.clear();
  cache_.clear();
  projections_ = 0;
}

bool IpcaModifier::applies(const LayerInfo& layer, const StepInfo& step) const {
  if (!layer.is_cross || !identity_.defined()) return false;
  // index -1: a forward outside a run, treated as applying (see the header).
  if (step.index >= 0 && step.index < options_.start_step) return false;
  return std::any_of(places_.begin(), places_.end(), [&](const std::pair<Place, int>& p) {
    return p.first == layer.place && (p.second < 0 || p.second == layer.block_index);
  });
}

void IpcaModifier::modify(const AttentionProjections& attn, const at::Tensor& /*hidden*/,
                          const at::Tensor& context, const LayerInfo& layer, const StepInfo& step,
                          AttentionTensors& t) {
  if (!context.defined() || !applies(layer, step)) return;
  const std::int64_t batch = t.q.size(0), queries = t.q.size(2), keys = t.k.size(2);

  at::Tensor k_id, v_id;  // [R, heads, T, d]
  std::vector<std::int64_t> keep;
  std::vector<std::uint64_t> row_keys;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!identity_.defined()) return;
    if (identity_.size(2) != context.size(2))
      throw_bad_input(kOptions, "identity",
                      "embedding width " + std::to_string(identity_.size(2)) + " does not match layer " +
                          layer.name + "'s context width " + std::to_string(context.size(2)));
    auto it = cache_.find(layer.name);
    if (it == cache_.end()) {
      // Text-only: no autograd history, computed once per layer for the whole run.
      c10::AutoGradMode no_grad(false);
      const at::Tensor e0 = identity_.to(context.device(), context.scalar_type());
      it = cache_
               .emplace(layer.name,
                        std::make_pair(split_heads(attn.to_k->forward(e0), attn.heads).contiguous(),
                                       split_heads(attn.to_v->forward(e0), attn.heads).contiguous()))
               .first;
      ++projections_;
    }
    k_id = it->second.first;
    v_id = it->second.second;
    keep = keep_;
    row_keys = row_keys_;
  }
  const std::int64_t identities = k_id.size(0), tokens = k_id.size(2);

  std::vector<std::int64_t> cond = step.cond_rows;
  if (cond.empty())
    for (std::int64_t b = 0; b < batch; ++b) cond.push_back(b);
  for (auto row : cond)
    if (row < 0 || row >= batch)
      throw_bad_input(kOptions, "cond_rows",
                      "row " + std::to_string(row) + " is outside the batch of " + std::to_string(batch));
  if (identities != 1 && identities != static_cast<std::int64_t>(cond.size()))
    throw_bad_input(kOptions, "identity",
                    std::to_string(identities) + " identity embeddings for " + std::to_string(cond.size()) +
                        " conditional rows (expected 1 or one per conditional row)");

  // Which identity each batch row appends: conditional rows theirs, the others the first one
  // (any would do: those columns are masked out).
  std::vector<std::int64_t> source(batch, 0);
  for (std::size_t i = 0; i < cond.size(); ++i) source[cond[i]] = identities == 1 ? 0 : std::int64_t(i);
  const at::Tensor index = at::tensor(source, at::kLong).to(k_id.device());
  t.k = at::cat({t.k, k_id.index_select(0, index).to(t.k.scalar_type())}, 2);
  t.v = at::cat({t.v, v_id.index_select(0, index).to(t.v.scalar_type())}, 2);

  // Bias of the appended columns, built on the CPU in float32: -inf except the kept positions
  // of conditional rows; with dropout one row per query pixel.
  const bool dropout = options_.dropout > 0.0 && keep.size() > 1;
  const std::int64_t rows = dropout ? queries : 1;
  at::Tensor appended = at::full({batch, 1, rows, tokens}, kNegInf, at::kFloat);
  if (!keep.empty()) {
    const at::Tensor keep_index = at::tensor(keep, at::kLong);
    for (auto row : cond) appended[row][0].index_fill_(1, keep_index, 0.0);
    if (dropout) {
      // keep[0] is SOT and always stays; each P0 token is dropped per pixel with probability p.
      // One generator per row, keyed by the row's key: masks do not depend on the batch.
      const at::Tensor p0_index = keep_index.slice(0, 1);
      const std::uint64_t layer_seed = dropout_seed(options_.seed, step.index, layer.name);
      for (std::size_t i = 0; i < cond.size(); ++i) {
        // A key shared by several rows (one identity for all) is told apart by row position.
        std::uint64_t key = i;
        if (!row_keys.empty())
          key = identities > 1 ? row_keys[i] : cond.size() == 1 ? row_keys[0] : mix64(row_keys[0]) ^ i;
        auto gen = at::make_generator<at::CPUGeneratorImpl>(mix64(layer_seed ^ mix64(key)));
        const at::Tensor draws = at::rand({queries, p0_index.size(0)}, gen, at::kFloat);
        const at::Tensor dropped = at::zeros_like(draws).masked_fill_(draws < options_.dropout, kNegInf);
        appended[cond[i]][0].index_copy_(1, p0_index, dropped);
      }
    }
  }
  appended = appended.to(t.q.device(), t.q.scalar_type());

  // The original columns keep the bias they had (zero when none), broadcast to the new shape.
  at::Tensor original;
  std::int64_t bias_heads = 1;
  if (t.bias.defined()) {
    original = t.bias.to(t.q.device(), t.q.scalar_type());
    while (original.dim() < 4) original = original.unsqueeze(0);
    bias_heads = original.size(1);
    const std::int64_t bias_rows = std::max(rows, original.size(2));
    original = original.expand({batch, bias_heads, bias_rows, keys});
    appended = appended.expand({batch, bias_heads, bias_rows, tokens});
  } else {
    original = at::zeros({batch, 1, rows, keys}, t.q.options());
  }
  t.bias = at::cat({original, appended}, 3);
}

}  // namespace storyscope
