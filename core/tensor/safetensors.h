#pragma once
// safetensors files: a validating reader over a memory map (tensors are views into the
// mapping, never a second copy) and an atomic writer. Validation follows the reference Rust
// implementation rule for rule, plus duplicate-key rejection; every failure is an Error that
// names the file, the tensor (or header) and the rule.
#include <ATen/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/dtype.h"

namespace storyscope {

constexpr std::uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

struct TensorEntry {
  std::string name;
  StDType dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // byte offsets into the data section
  std::uint64_t end = 0;
  std::int64_t numel() const;
};

class SafetensorsFile {
 public:
  // Maps and validates `path`. Throws Error(BadInput) naming the file and the rule.
  static std::shared_ptr<const SafetensorsFile> open(const std::string& path);
  // Validates an in-memory image of a file (used by fuzzing and tests); `label` names it.
  static std::shared_ptr<const SafetensorsFile> from_bytes(std::vector<std::uint8_t> bytes,
                                                           const std::string& label);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  // Entries sorted by data offset.
  const std::vector<TensorEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const TensorEntry* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  std::vector<std::string> names() const;

  // A CPU tensor viewing the mapped bytes (copy-on-write: writing to it never touches the
  // file). Copied only when the data is not aligned to its element size. Throws for a
  // missing name or a dtype this LibTorch cannot represent.
  at::Tensor tensor(const std::string& name) const;
  // Names of tensors whose dtype has no LibTorch equivalent in this build.
  std::vector<std::string> unsupported_tensors() const;

 private:
  SafetensorsFile() = default;
  void parse();
  struct Storage;
  std::shared_ptr<Storage> storage_;
  std::string path_;
  const std::uint8_t* data_ = nullptr;  // start of the data section
  std::vector<TensorEntry> entries_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Writes tensors (any device/layout; stored contiguous, little-endian) atomically:
// a temporary file next to `path`, fsync, then rename. Order and padding match the
// reference writer (by dtype alignment then name; header space-padded to 8 bytes).
void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Serialises to bytes in memory (same layout as write_safetensors).
std::vector<std::uint8_t> safetensors_bytes(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                                            const std::map<std::string, std::string>& metadata = {});

// Loads every tensor into memory (copies). Convenience for small files such as fixtures.
std::map<std::string, at::Tensor> load_safetensors(const std::string& path);

}  // namespace storyscope
