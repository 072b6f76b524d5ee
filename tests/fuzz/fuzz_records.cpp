// Fuzz target: attention records (records.json index + records.safetensors maps), the pair the
// GUI opens from a story folder. The input is the index, a NUL byte, then the safetensors bytes
// (JSON cannot hold a raw NUL, so the split is unambiguous). storyscope::Error is the expected
// outcome; every loaded record's map is read byte by byte.
#include <cstdint>
#include <cstring>

#include "core/attention/records_file.h"
#include "core/common/error.h"
#include "fuzz_support.h"
#include "tensor_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace storyscope;
  static const fuzz::ScratchFile index_file("records.json");
  static const fuzz::ScratchFile tensors_file("records.safetensors");
  const void* nul = size ? std::memchr(data, 0, size) : nullptr;
  const std::size_t index_size = nul ? static_cast<const std::uint8_t*>(nul) - data : size;
  const std::size_t rest = nul ? index_size + 1 : size;
  index_file.write(data, index_size);
  tensors_file.write(data + rest, size - rest);
  AttentionRecordSet set;
  try {
    set = load_attention_records(tensors_file.path(), index_file.path());
  } catch (const Error&) {
    return 0;
  }
  for (const auto& r : set.records) {
    FUZZ_CHECK(r.height > 0 && r.width > 0);
    FUZZ_CHECK(r.probs.size(-1) == r.height * r.width);
    fuzz::touch_tensor_bytes(r.probs);
  }
  return 0;
}
