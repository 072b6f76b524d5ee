// Fuzz target: the safetensors reader (header JSON, dtypes, shapes, offsets) through its
// in-memory entry point, then every tensor view it hands out, read byte by byte so an offset
// that escapes the buffer is caught by ASan. storyscope::Error is the expected outcome.
#include <cstdint>
#include <vector>

#include "core/common/error.h"
#include "core/tensor/safetensors.h"
#include "fuzz_support.h"
#include "tensor_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace storyscope;
  std::shared_ptr<const SafetensorsFile> file;
  try {
    file = SafetensorsFile::from_bytes(std::vector<std::uint8_t>(data, data + size), "fuzz.safetensors");
  } catch (const Error&) {
    return 0;
  }
  std::uint64_t previous_end = 0;
  for (const TensorEntry& e : file->entries()) {
    FUZZ_CHECK(e.begin <= e.end && e.end <= size);
    FUZZ_CHECK(e.begin >= previous_end);  // sorted by offset, no overlap
    previous_end = e.end;
    FUZZ_CHECK(file->find(e.name) == &e);
    at::Tensor t;
    try {
      t = file->tensor(e.name);
    } catch (const Error&) {
      continue;  // a dtype this LibTorch cannot represent
    }
    FUZZ_CHECK(t.numel() == e.numel());
    FUZZ_CHECK(static_cast<std::uint64_t>(t.nbytes()) == e.end - e.begin);
    fuzz::touch_tensor_bytes(t);
  }
  (void)file->unsupported_tensors();
  return 0;
}
