#include "core/tensor/state_dict.h"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/tensor/safetensors.h"

namespace storyscope {

std::string shape_to_string(const std::vector<std::int64_t>& shape) {
  std::ostringstream ss;
  ss << "[";
  for (std::size_t i = 0; i < shape.size(); ++i) ss << (i ? ", " : "") << shape[i];
  ss << "]";
  return ss.str();
}

TensorMap tensors_of(const std::shared_ptr<const SafetensorsFile>& file, const std::string& prefix) {
  TensorMap out;
  for (const auto& e : file->entries()) {
    if (e.name.compare(0, prefix.size(), prefix) != 0) continue;
    out[e.name.substr(prefix.size())] = file->tensor(e.name);
  }
  return out;
}

std::string LoadReport::describe(std::size_t max_items) const {
  std::ostringstream ss;
  auto list = [&](const char* title, const std::vector<std::string>& keys) {
    if (keys.empty()) return;
    ss << "\n  " << title << " (" << keys.size() << "):";
    for (std::size_t i = 0; i < keys.size() && i < max_items; ++i) ss << "\n    " << keys[i];
    if (keys.size() > max_items) ss << "\n    ... and " << keys.size() - max_items << " more";
  };
  list("missing keys", missing);
  list("unexpected keys", unexpected);
  if (!mismatched.empty()) {
    ss << "\n  mis-shaped keys (" << mismatched.size() << "):";
    for (std::size_t i = 0; i < mismatched.size() && i < max_items; ++i)
      ss << "\n    " << mismatched[i].key << ": expected " << shape_to_string(mismatched[i].expected)
         << ", found " << shape_to_string(mismatched[i].found);
    if (mismatched.size() > max_items) ss << "\n    ... and " << mismatched.size() - max_items << " more";
  }
  if (!wrong_dtype.empty()) {
    ss << "\n  keys of the wrong dtype (" << wrong_dtype.size() << "):";
    for (std::size_t i = 0; i < wrong_dtype.size() && i < max_items; ++i)
      ss << "\n    " << wrong_dtype[i].key << ": expected " << wrong_dtype[i].expected << ", found "
         << wrong_dtype[i].found;
    if (wrong_dtype.size() > max_items) ss << "\n    ... and " << wrong_dtype.size() - max_items << " more";
  }
  return ss.str();
}

namespace {
// "floating point (Float)" / "integer (Long)": the kind matters, the width is converted.
std::string dtype_kind(const at::Tensor& t) {
  const char* kind = t.is_floating_point() ? "floating point" : t.is_complex() ? "complex" : "integer";
  return std::string(kind) + " (" + c10::toString(t.scalar_type()) + ")";
}

bool same_kind(const at::Tensor& a, const at::Tensor& b) {
  return a.is_floating_point() == b.is_floating_point() && a.is_complex() == b.is_complex();
}

// Persistent state: all parameters and all buffers (our modules register no non-persistent ones).
std::vector<std::pair<std::string, at::Tensor>> module_state(torch::nn::Module& module) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (auto& p : module.named_parameters(true)) out.emplace_back(p.key(), p.value());
  for (auto& b : module.named_buffers(true)) out.emplace_back(b.key(), b.value());
  return out;
}
}  // namespace

LoadReport load_state_dict(torch::nn::Module& module, const TensorMap& weights, const std::string& source,
                           const LoadOptions& options) {
  LoadReport report;
  auto state = module_state(module);
  std::set<std::string> known;
  for (auto& [name, target] : state) {
    known.insert(name);
    const auto it = weights.find(name);
    if (it == weights.end()) {
      report.missing.push_back(name);
    } else if (it->second.sizes() != target.sizes()) {
      report.mismatched.push_back({name, target.sizes().vec(), it->second.sizes().vec()});
    } else if (!same_kind(it->second, target)) {
      report.wrong_dtype.push_back({name, dtype_kind(target), dtype_kind(it->second)});
    }
  }
  for (const auto& [name, t] : weights)
    if (!known.count(name)) report.unexpected.push_back(name);
  if (options.strict && !report.ok())
    throw_model_error(source, "", "weights do not match the model:" + report.describe());

  at::NoGradGuard no_grad;
  for (auto& [name, target] : state) {
    const auto it = weights.find(name);
    if (it == weights.end() || it->second.sizes() != target.sizes() || !same_kind(it->second, target))
      continue;
    const at::Tensor& src = it->second;
    if (options.adopt_storage && src.scalar_type() == target.scalar_type() && src.device() == target.device())
      target.set_data(src);
    else
      target.copy_(src);
  }
  return report;
}

TensorMap state_dict_of(torch::nn::Module& module) {
  TensorMap out;
  for (auto& [name, t] : module_state(module)) out[name] = t.detach();
  return out;
}

std::vector<std::string> non_finite_tensors(const TensorMap& weights) {
  std::vector<std::string> out;
  for (const auto& [name, t] : weights) {
    if (!t.is_floating_point()) continue;
    if (!at::isfinite(t).all().item<bool>()) out.push_back(name);
  }
  return out;
}

}  // namespace storyscope
