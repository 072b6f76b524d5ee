#pragma once
// PNG text chunks (tEXt / iTXt) at the byte level: no image codec involved, so any byte
// string can be parsed safely. Every structural fault is an Error(BadInput) naming the file
// (or `name`) and the chunk index; nothing reads past the buffer, and a length field is
// checked against the bytes present before anything is taken from it.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace storyscope {

enum class PngTextEncoding {
  Auto,           // tEXt when every character is Latin-1 (as PIL, and so A1111, writes), else iTXt
  Latin1,         // tEXt; Error when the value has a character above U+00FF
  International,  // iTXt, UTF-8, uncompressed, no language tag
};

struct PngTextChunk {
  std::string keyword;  // 1-79 printable ASCII characters, no leading/trailing/double spaces
  std::string value;    // UTF-8, no NUL
  PngTextEncoding encoding = PngTextEncoding::Auto;
};

// Returns `png` (a complete PNG stream) with `chunks` inserted just before IEND, in order.
// The stream is validated first (signature, lengths, CRCs, IHDR first, IEND last).
// `name` names the stream in errors. Throws Error(BadInput).
std::string insert_png_text_chunks(std::string_view png, const std::vector<PngTextChunk>& chunks,
                                   const std::string& name);

// keyword -> value (UTF-8; tEXt's Latin-1 converted) of every tEXt and uncompressed iTXt
// chunk; a later chunk with the same keyword wins (as PIL's Image.info). zTXt and compressed
// iTXt are skipped with a note "<name>: chunk <i> (<type> "<keyword>"): compressed chunk not
// supported, skipped" appended to `notes` when given. Bytes after IEND are ignored.
std::map<std::string, std::string> png_text_chunks_from_bytes(std::string_view bytes, const std::string& name,
                                                              std::vector<std::string>* notes = nullptr);
// The same for a file (read whole; errors name `path`).
std::map<std::string, std::string> read_png_text_chunks(const std::string& path,
                                                        std::vector<std::string>* notes = nullptr);

// CRC-32 of the PNG specification (= zlib's), continuing from `crc` (0 to start).
std::uint32_t png_crc32(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace storyscope
