#pragma once
// Where the trainer gets its examples: a deterministic source of (image, caption) batches,
// indexed so a resumed run sees exactly the batches an uninterrupted one would have.
#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace storyscope {

struct TrainingBatch {
  at::Tensor images;                  // [B, 3, H, W] float32 on the CPU, in [-1, 1]
  std::vector<std::string> captions;  // B captions
};

class TrainingDataSource {
 public:
  virtual ~TrainingDataSource() = default;
  // Batch number `index` of `size` examples; the same (index, size) always gives the same batch.
  virtual TrainingBatch batch(std::uint64_t index, int size) const = 0;
  virtual std::int64_t image_size() const = 0;  // H == W
};

}  // namespace storyscope
