#pragma once
// Reads every byte of a tensor from instrumented code: LibTorch itself is not built with ASan,
// so a view that points past the buffer it came from shows up only when the fuzz target touches
// the memory itself.
#include <ATen/Tensor.h>

#include <cstdint>

#include "fuzz_support.h"

namespace storyscope::fuzz {

inline std::uint64_t touch_tensor_bytes(const at::Tensor& t) {
  FUZZ_CHECK(t.defined());
  if (t.numel() == 0) return 0;
  FUZZ_CHECK(t.is_contiguous());
  const auto* p = static_cast<const volatile std::uint8_t*>(t.data_ptr());
  std::uint64_t sum = 0;
  for (std::size_t i = 0, n = t.nbytes(); i < n; ++i) sum += p[i];
  return sum;
}

}  // namespace storyscope::fuzz
