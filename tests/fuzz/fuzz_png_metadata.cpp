// Fuzz target: reading generation metadata from a PNG (read_generation_png: chunk walk with
// length/CRC checks, tEXt/iTXt decoding, the A1111 `parameters` parser and the `storyscope` JSON
// chunk). None of it decodes pixels, so no OpenCV code runs. A stream the reader accepts is
// also given to the chunk writer, and the chunk it inserts must read back unchanged.
// storyscope::Error is the expected outcome.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/error.h"
#include "core/imaging/png_metadata.h"
#include "core/imaging/png_text.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace storyscope;
  static const fuzz::ScratchFile file("image.png");
  try {
    (void)read_generation_png(file.write(data, size));
  } catch (const Error&) {
    return 0;
  }
  const std::string_view png(reinterpret_cast<const char*>(data), size);
  const std::string value = "fuzz \xC3\xBC value";  // not Latin-1 only: written as iTXt
  std::string with_chunk;
  try {
    with_chunk = insert_png_text_chunks(png, {{"storyscope-fuzz", value, PngTextEncoding::Auto}}, "fuzz.png");
  } catch (const Error&) {
    return 0;  // the writer is stricter than the reader (e.g. it wants IHDR first)
  }
  const auto text = png_text_chunks_from_bytes(with_chunk, "fuzz.png");
  const auto it = text.find("storyscope-fuzz");
  FUZZ_CHECK(it != text.end() && it->second == value);
  return 0;
}
