#include "app/cli/init_latents.h"

#include <ATen/ATen.h>

#include "core/common/error.h"
#include "core/tensor/safetensors.h"

namespace storyscope::cli {

at::Tensor read_init_latents(const std::string& path, const std::string& key) {
  auto file = SafetensorsFile::open(path);
  if (!key.empty()) return file->tensor(key).to(at::kFloat).clone();
  if (file->contains("latents")) return file->tensor("latents").to(at::kFloat).clone();
  if (file->entries().size() == 1) return file->tensor(file->entries()[0].name).to(at::kFloat).clone();
  throw_bad_input(path, "",
                  "expected a tensor named \"latents\", exactly one tensor, or --init-latents-key NAME");
}

}  // namespace storyscope::cli
