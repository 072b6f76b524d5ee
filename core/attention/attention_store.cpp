#include "core/attention/attention_store.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>

#include "core/common/error.h"
#include "core/tensor/safetensors.h"

namespace storyscope {
namespace {

constexpr const char* kOptions = "attention store options";

std::string human_bytes(std::int64_t bytes) {
  char buf[64];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  else if (b >= 1024.0 * 1024)
    std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1024.0 * 1024));
  else if (b >= 1024.0)
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  return buf;
}

std::int64_t nbytes(const at::Tensor& t) { return t.defined() ? t.numel() * t.element_size() : 0; }

bool contains(const std::vector<std::int64_t>& v, std::int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::int64_t pooled_side(std::int64_t s) { return (s + 1) / 2; }

// x: [L, h*w] -> [L, ceil(h/2)*ceil(w/2)], averaging (or summing) each 2x2 cell of the grid.
// Odd edges average what is there, so a pooled map stays a mean of real values.
at::Tensor pool_rows(const at::Tensor& x, std::int64_t h, std::int64_t w, bool sum) {
  const auto l = x.size(0);
  const at::Tensor grid = x.to(at::kFloat).reshape({l, h, w});
  at::Tensor pooled = sum ? at::avg_pool2d(grid, {2, 2}, {2, 2}, {0, 0}, /*ceil_mode=*/true,
                                           /*count_include_pad=*/false, /*divisor_override=*/1)
                          : at::avg_pool2d(grid, {2, 2}, {2, 2}, {0, 0}, true, false);
  return pooled.reshape({l, -1});
}

// Cross-attention record [..., keys, h*w]: mean over each 2x2 cell of queries.
// Self-attention record [..., h*w queries, h*w keys]: queries averaged, keys summed, so every
// row still sums to 1 over the keys.
at::Tensor pool_record(const AttentionRecord& r) {
  const auto h = r.height, w = r.width, hw = h * w;
  const auto h2 = pooled_side(h), w2 = pooled_side(w), hw2 = h2 * w2;
  std::vector<std::int64_t> lead(r.probs.sizes().begin(), r.probs.sizes().end());
  at::Tensor out;
  if (r.is_cross) {
    lead.back() = hw2;
    out = pool_rows(r.probs.reshape({-1, hw}), h, w, false);
  } else {
    lead[lead.size() - 2] = hw2;
    lead.back() = hw2;
    const at::Tensor x = r.probs.reshape({-1, hw, hw});
    const auto l = x.size(0);
    at::Tensor q = pool_rows(x.transpose(1, 2).reshape({-1, hw}), h, w, false);  // [l*keys, q']
    q = q.reshape({l, hw, hw2}).transpose(1, 2).reshape({-1, hw});               // [l*q', keys]
    out = pool_rows(q, h, w, true);
  }
  return out.reshape(lead).to(at::kHalf).contiguous();
}

std::string make_spill_dir() {
  std::random_device rd;
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 16; ++attempt) {
    char name[64];
    std::snprintf(name, sizeof name, "storyscope-spill-%08x%08x", rd(), rd());
    const auto dir = base / name;
    std::error_code ec;
    if (std::filesystem::create_directory(dir, ec)) return dir.string();
  }
  throw Error(ErrorKind::Internal, base.string(), "attention store spill folder",
              "could not create a fresh folder for spilled attention records");
}

}  // namespace

PromptTokenLayout prompt_token_layout(const std::vector<std::int64_t>& ids, std::int64_t bos_id,
                                      std::int64_t eos_id) {
  PromptTokenLayout layout;
  std::size_t i = 0;
  if (!ids.empty() && ids[0] == bos_id) {
    layout.sot = 0;
    i = 1;
  }
  for (; i < ids.size() && ids[i] != eos_id; ++i) layout.real.push_back(static_cast<std::int64_t>(i));
  if (i < ids.size()) layout.eot = static_cast<std::int64_t>(i);
  return layout;
}

void AttentionStoreOptions::set_prompt(const std::vector<std::int64_t>& ids,
                                       const std::vector<std::string>& tokens, std::int64_t bos_id,
                                       std::int64_t eos_id) {
  const PromptTokenLayout layout = prompt_token_layout(ids, bos_id, eos_id);
  token_positions = layout.real;
  sot_position = layout.sot >= 0 ? layout.sot : 0;
  eot_position = layout.eot;
  prompt_ids = ids;
  prompt_tokens = tokens;
}

AttentionStore::AttentionStore(AttentionStoreOptions options) : options_(std::move(options)) {
  if (options_.byte_budget <= 0) throw_bad_input(kOptions, "byte_budget", "must be positive");
  const auto& real = options_.token_positions;
  if (!real.empty()) {
    if (options_.include_sot) positions_.push_back(options_.sot_position);
    positions_.insert(positions_.end(), real.begin(), real.end());
    if (options_.include_eot)
      positions_.push_back(options_.eot_position >= 0 ? options_.eot_position : real.back() + 1);
    for (const auto p : positions_)
      if (p < 0) throw_bad_input(kOptions, "token_positions", "positions must be >= 0");
  }
}

AttentionStore::~AttentionStore() {
  // Views already handed out stay valid: the mappings outlive the unlinked files (POSIX).
  if (own_spill_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(spill_dir_, ec);
  }
}

bool AttentionStore::wants(const LayerInfo& layer) const {
  const std::int64_t resolution = std::min(layer.height, layer.width);
  if (!layer.is_cross) return contains(options_.self_attention_resolutions, resolution);
  if (!options_.record_cross_attention) return false;
  if (options_.layer_filter) return options_.layer_filter(layer);
  if (!options_.places.empty() &&
      std::find(options_.places.begin(), options_.places.end(), layer.place) == options_.places.end())
    return false;
  return options_.resolutions.empty() || contains(options_.resolutions, resolution);
}

void AttentionStore::observe(const LayerInfo& layer, const StepInfo& step, const at::Tensor& probs) {
  const auto b = probs.size(0), m = probs.size(3);
  at::Tensor p = probs;
  if (!step.cond_rows.empty() && static_cast<std::int64_t>(step.cond_rows.size()) != b)
    p = p.index_select(0, at::tensor(step.cond_rows, at::kLong).to(p.device()));
  if (layer.is_cross) {
    if (positions_.empty())
      for (std::int64_t i = 0; i < m; ++i) positions_.push_back(i);
    for (const auto pos : positions_)
      if (pos >= m)
        throw_bad_input(kOptions, "token_positions",
                        "position " + std::to_string(pos) + " is outside the " + std::to_string(m) +
                            " keys of " + layer.name);
    p = p.index_select(3, at::tensor(positions_, at::kLong).to(p.device()));
  }
  // Averaged in float32 whatever the compute dtype, then stored as float16.
  if (!options_.per_head) p = p.to(at::kFloat).mean(1);
  if (layer.is_cross) p = p.transpose(-1, -2);  // [rows, (heads,) keys, queries]
  p = p.to(at::kHalf).to(at::kCPU).contiguous();
  add_records(layer, step, p, "", 1.0);
}

void AttentionStore::observe_added(const LayerInfo& layer, const StepInfo& step,
                                   const AddedAttention& added) {
  at::Tensor p = added.probs;
  if (!step.cond_rows.empty() && static_cast<std::int64_t>(step.cond_rows.size()) != p.size(0))
    p = p.index_select(0, at::tensor(step.cond_rows, at::kLong).to(p.device()));
  if (!options_.per_head) p = p.to(at::kFloat).mean(1);
  p = p.transpose(-1, -2).to(at::kHalf).to(at::kCPU).contiguous();  // [rows, (heads,) keys, queries]
  add_records(layer, step, p, added.keys.empty() ? std::string("added") : added.keys, added.weight);
}

void AttentionStore::add_records(const LayerInfo& layer, const StepInfo& step, const at::Tensor& p,
                                 const std::string& keys, double weight) {
  largest_h_ = std::max(largest_h_, layer.height);
  largest_w_ = std::max(largest_w_, layer.width);
  const auto rows = p.size(0);
  for (std::int64_t r = 0; r < rows; ++r) {
    AttentionRecord rec;
    rec.layer = layer.name;
    rec.place = layer.place;
    rec.block_index = layer.block_index;
    rec.is_cross = layer.is_cross;
    rec.height = rec.native_height = layer.height;
    rec.width = rec.native_width = layer.width;
    rec.step = step.index;
    rec.timestep = step.timestep;
    rec.batch_row = static_cast<int>(r);
    rec.per_head = options_.per_head;
    rec.keys = keys;
    rec.weight = weight;
    rec.probs = rows == 1 ? p[0] : p[r].clone();  // own storage, so pooling one row frees it
    const std::int64_t bytes = nbytes(rec.probs);
    make_room(bytes, step.index);
    resident_bytes_ += bytes;
    records_.push_back(std::move(rec));
  }
}

void AttentionStore::make_room(std::int64_t incoming, int step) {
  const std::int64_t budget = options_.byte_budget;
  if (resident_bytes_ + incoming <= budget) return;
  if (options_.overflow == OverflowPolicy::Pool) {
    while (resident_bytes_ + incoming > budget) {
      if (!pool_one_older_step(step)) {
        warn("attention records exceed the byte budget of " + human_bytes(budget) +
             ": older steps cannot be pooled further, so the budget is exceeded (nothing is dropped)");
        return;
      }
      warn("attention records reached the byte budget of " + human_bytes(budget) +
           ": older steps are pooled to coarser grids (see the record notes)");
    }
    return;
  }
  spill_resident(step);
  if (resident_bytes_ + incoming > budget) spill_resident(-1);
  if (incoming > budget)
    warn("one attention record (" + human_bytes(incoming) + ") is larger than the byte budget of " +
         human_bytes(budget) + ": it is kept in memory until the next spill");
}

bool AttentionStore::pool_one_older_step(int step) {
  // The finest older step first (its largest grid), the oldest among equals: older steps
  // coarsen evenly instead of the first one collapsing to 1x1.
  int best_step = 0;
  std::int64_t best_cells = 0;
  for (const auto& r : records_) {
    if (r.step >= step || !r.spill_file.empty() || r.height * r.width <= 1) continue;
    const std::int64_t cells = r.height * r.width;
    if (cells > best_cells || (cells == best_cells && r.step < best_step)) {
      best_cells = cells;
      best_step = r.step;
    }
  }
  if (best_cells == 0) return false;
  for (auto& r : records_) {
    if (r.step != best_step || !r.spill_file.empty() || r.height * r.width <= 1) continue;
    const std::int64_t before = nbytes(r.probs);
    r.probs = pool_record(r);
    r.height = pooled_side(r.height);
    r.width = pooled_side(r.width);
    resident_bytes_ += nbytes(r.probs) - before;
  }
  ++pool_passes_[best_step];
  return true;
}

void AttentionStore::spill_resident(int step) {
  // step >= 0: only finished steps (< step); step < 0: everything resident.
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& r = records_[i];
    if (r.spill_file.empty() && r.probs.defined() && (step < 0 || r.step < step)) chosen.push_back(i);
  }
  if (chosen.empty()) return;
  if (spill_dir_.empty()) {
    if (options_.spill_path.empty()) {
      spill_dir_ = make_spill_dir();
      own_spill_dir_ = true;
    } else {
      spill_dir_ = options_.spill_path;
      std::error_code ec;
      std::filesystem::create_directories(spill_dir_, ec);
      if (ec) throw_bad_input(spill_dir_, "spill_path", "cannot create the folder: " + ec.message());
    }
  }
  char name[48];
  std::snprintf(name, sizeof name, "spill_%03d.safetensors", spill_files_++);
  const std::string path = (std::filesystem::path(spill_dir_) / name).string();

  std::vector<std::pair<std::string, at::Tensor>> tensors;
  int first = records_[chosen.front()].step, last = first;
  std::int64_t bytes = 0;
  for (const auto i : chosen) {
    tensors.emplace_back("record" + std::to_string(i), records_[i].probs);
    first = std::min(first, records_[i].step);
    last = std::max(last, records_[i].step);
    bytes += nbytes(records_[i].probs);
  }
  write_safetensors(path, tensors, {{"format", "storyscope.attention_spill"}});
  const auto file = SafetensorsFile::open(path);
  for (const auto i : chosen) {
    auto& r = records_[i];
    r.probs = file->tensor("record" + std::to_string(i));
    r.spill_file = path;
  }
  resident_bytes_ -= bytes;
  const std::string steps = first == last ? "step " + std::to_string(first)
                                          : "steps " + std::to_string(first) + "-" + std::to_string(last);
  const std::string note = steps + " (" + std::to_string(chosen.size()) + " records, " + human_bytes(bytes) +
                           ") spilled to " + path + " to stay within the byte budget of " +
                           human_bytes(options_.byte_budget);
  spill_notes_.push_back(note);
  warn("attention records " + note);
}

void AttentionStore::warn(const std::string& message) {
  if (warned_.insert(message).second) warnings_.push_back(message);
}

AttentionRecordSet AttentionStore::records() const {
  AttentionRecordSet set;
  for (const auto& r : records_) (r.keys.empty() ? set.records : set.added_records).push_back(r);
  set.token_positions = positions_;
  for (const auto pos : positions_) {
    const auto i = static_cast<std::size_t>(pos);
    if (i < options_.prompt_ids.size()) set.token_ids.push_back(options_.prompt_ids[i]);
    if (i < options_.prompt_tokens.size()) set.tokens.push_back(options_.prompt_tokens[i]);
  }
  // Partial lists would misalign tokens and positions: keep them only when complete.
  if (set.token_ids.size() != positions_.size()) set.token_ids.clear();
  if (set.tokens.size() != positions_.size()) set.tokens.clear();
  set.latent_height = options_.latent_height > 0 ? options_.latent_height : largest_h_;
  set.latent_width = options_.latent_width > 0 ? options_.latent_width : largest_w_;
  for (const auto& [step, passes] : pool_passes_)
    set.notes.push_back(
        "step " + std::to_string(step) + ": query grids average-pooled 2x2 " + std::to_string(passes) +
        (passes == 1 ? " time" : " times") +
        " (each side halved per pass; self-attention keys summed) to stay within the byte budget of " +
        human_bytes(options_.byte_budget));
  set.notes.insert(set.notes.end(), spill_notes_.begin(), spill_notes_.end());
  return set;
}

void AttentionStore::clear() {
  records_.clear();
  resident_bytes_ = 0;
  largest_h_ = largest_w_ = 0;
  pool_passes_.clear();
  spill_notes_.clear();
  warnings_.clear();
  warned_.clear();
  if (options_.token_positions.empty()) positions_.clear();
}

}  // namespace storyscope
