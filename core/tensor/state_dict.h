#pragma once
// Moving named tensors into a module's parameters and buffers, the way diffusers'
// load_state_dict does, but reporting every missing, unexpected and mis-shaped key at once.
#include <ATen/Tensor.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace storyscope {

class SafetensorsFile;

using TensorMap = std::map<std::string, at::Tensor>;

// Zero-copy views of every tensor in the file (optionally only keys under `prefix`, with the
// prefix removed).
TensorMap tensors_of(const std::shared_ptr<const SafetensorsFile>& file, const std::string& prefix = "");

struct ShapeMismatch {
  std::string key;
  std::vector<std::int64_t> expected, found;
};

// A tensor of the wrong kind: integer (or bool) data where the module holds floating-point
// weights, or the reverse. Copying would silently turn it into garbage weights.
struct DtypeMismatch {
  std::string key;
  std::string expected, found;  // e.g. "Float", "Long"
};

struct LoadReport {
  std::vector<std::string> missing;     // in the module, not in the weights
  std::vector<std::string> unexpected;  // in the weights, not in the module
  std::vector<ShapeMismatch> mismatched;
  std::vector<DtypeMismatch> wrong_dtype;
  bool ok() const {
    return missing.empty() && unexpected.empty() && mismatched.empty() && wrong_dtype.empty();
  }
  std::string describe(std::size_t max_items = 20) const;
};

struct LoadOptions {
  bool strict = true;  // throw when the report is not ok
  // Adopt the weights' storage when dtype and device already match (no copy: a mapped file
  // stays mapped); otherwise copy into the module's existing parameter.
  bool adopt_storage = true;
};

// Checks names, shapes and kinds (floating vs integer) of all parameters and persistent buffers, then loads.
// `source` names the file or folder for error messages. Throws Error(Model) listing all problems.
LoadReport load_state_dict(torch::nn::Module& module, const TensorMap& weights, const std::string& source,
                           const LoadOptions& options = {});

// The module's state dict (parameters and buffers), detached.
TensorMap state_dict_of(torch::nn::Module& module);

// Reports tensors that contain NaN or Inf (weights that would silently produce garbage).
std::vector<std::string> non_finite_tensors(const TensorMap& weights);

std::string shape_to_string(const std::vector<std::int64_t>& shape);

}  // namespace storyscope
