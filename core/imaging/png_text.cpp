#include "core/imaging/png_text.h"

#include <array>
#include <functional>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/utf8.h"

namespace storyscope {
namespace {

constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
constexpr std::uint32_t kMaxChunkLength = 0x7FFFFFFFu;  // the PNG specification's limit
constexpr std::size_t kMaxKeyword = 79;

const std::array<std::uint32_t, 256>& crc_table() {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  return table;
}

std::uint32_t read_be32(std::string_view b, std::size_t at) {
  return (std::uint32_t(static_cast<unsigned char>(b[at])) << 24) |
         (std::uint32_t(static_cast<unsigned char>(b[at + 1])) << 16) |
         (std::uint32_t(static_cast<unsigned char>(b[at + 2])) << 8) |
         std::uint32_t(static_cast<unsigned char>(b[at + 3]));
}

void append_be32(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>((v >> 16) & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

struct Chunk {
  std::size_t index = 0;
  std::size_t offset = 0;  // of the length field
  std::string_view type, data;
};

std::string where(std::size_t index, std::size_t offset, std::string_view type = {}) {
  std::string s = "chunk " + std::to_string(index);
  if (!type.empty()) s += " (" + std::string(type) + ")";
  return s + " at byte " + std::to_string(offset);
}

// Checks the whole stream and calls `visit` for every chunk up to IEND; returns IEND's offset.
std::size_t walk_chunks(std::string_view b, const std::string& name,
                        const std::function<void(const Chunk&)>& visit) {
  if (b.empty()) throw_bad_input(name, "signature", "file is empty, not a PNG");
  if (b.size() < kSignature.size() || b.substr(0, kSignature.size()) != kSignature)
    throw_bad_input(name, "signature", "not a PNG file (bad signature)");
  std::size_t offset = kSignature.size();
  for (std::size_t index = 0;; ++index) {
    const std::size_t left = b.size() - offset;
    if (left == 0) throw_bad_input(name, where(index, offset), "no IEND chunk: the file is truncated");
    if (left < 12)
      throw_bad_input(name, where(index, offset),
                      "truncated chunk header (" + std::to_string(left) + " bytes left, 12 needed)");
    const std::uint32_t length = read_be32(b, offset);
    const std::string_view type = b.substr(offset + 4, 4);
    for (char c : type)
      if (!is_letter(c)) throw_bad_input(name, where(index, offset), "chunk type is not 4 ASCII letters");
    if (length > kMaxChunkLength)
      throw_bad_input(name, where(index, offset, type),
                      "length " + std::to_string(length) + " exceeds the PNG limit of 2^31-1");
    if (length > left - 12)
      throw_bad_input(name, where(index, offset, type),
                      "length " + std::to_string(length) + " runs past the end of the file (" +
                          std::to_string(left - 12) + " bytes left)");
    const std::string_view data = b.substr(offset + 8, length);
    const std::uint32_t stored = read_be32(b, offset + 8 + length);
    const std::uint32_t computed = png_crc32(data, png_crc32(type));
    if (stored != computed)
      throw_bad_input(
          name, where(index, offset, type),
          "bad CRC (stored " + std::to_string(stored) + ", computed " + std::to_string(computed) + ")");
    if (index == 0 && type != "IHDR")
      throw_bad_input(name, where(index, offset, type), "first chunk must be IHDR");
    if (index > 0 && type == "IHDR") throw_bad_input(name, where(index, offset, type), "second IHDR chunk");
    visit(Chunk{index, offset, type, data});
    if (type == "IEND") return offset;
    offset += 12 + std::size_t(length);
  }
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Latin-1 bytes of valid UTF-8 `s`, or false when a character is above U+00FF.
bool utf8_to_latin1(std::string_view s, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += s[i];
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      out += static_cast<char>(((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F));
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

void check_keyword_to_write(const std::string& k, const std::string& name) {
  const std::string at = "text chunk \"" + k + "\"";
  if (k.empty() || k.size() > kMaxKeyword) throw_bad_input(name, at, "keyword must be 1-79 characters");
  for (char c : k)
    if (c < 32 || c > 126) throw_bad_input(name, at, "keyword must be printable ASCII");
  if (k.front() == ' ' || k.back() == ' ' || k.find("  ") != std::string::npos)
    throw_bad_input(name, at, "keyword must not start or end with a space or hold two in a row");
}

std::string make_chunk(std::string_view type, const std::string& data) {
  std::string out;
  append_be32(out, static_cast<std::uint32_t>(data.size()));
  out += type;
  out += data;
  append_be32(out, png_crc32(data, png_crc32(type)));
  return out;
}

std::string encode_text_chunk(const PngTextChunk& c, const std::string& name) {
  check_keyword_to_write(c.keyword, name);
  const std::string at = "text chunk \"" + c.keyword + "\"";
  if (!is_valid_utf8(c.value))
    throw_bad_input(name, at,
                    "value is not valid UTF-8 at byte " + std::to_string(first_invalid_utf8(c.value)));
  if (c.value.find('\0') != std::string::npos) throw_bad_input(name, at, "value holds a NUL character");
  if (c.value.size() > kMaxChunkLength - kMaxKeyword - 5)
    throw_bad_input(name, at, "value too long for one chunk");

  std::string latin1;
  const bool fits_latin1 = utf8_to_latin1(c.value, latin1);
  if (c.encoding == PngTextEncoding::Latin1 && !fits_latin1)
    throw_bad_input(name, at, "value has characters outside Latin-1; use iTXt");
  if (c.encoding != PngTextEncoding::International && fits_latin1)
    return make_chunk("tEXt", c.keyword + '\0' + latin1);
  // keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text
  std::string data = c.keyword;
  data.append(5, '\0');
  data += c.value;
  return make_chunk("iTXt", data);
}

// Splits `data` at its first NUL into keyword and rest; checks the keyword's length.
std::string_view take_keyword(std::string_view& data, const std::string& name, const Chunk& c) {
  const auto nul = data.find('\0');
  if (nul == std::string_view::npos)
    throw_bad_input(name, where(c.index, c.offset, c.type), "keyword is not NUL-terminated");
  if (nul == 0 || nul > kMaxKeyword)
    throw_bad_input(name, where(c.index, c.offset, c.type), "keyword must be 1-79 bytes");
  const std::string_view keyword = data.substr(0, nul);
  data.remove_prefix(nul + 1);
  return keyword;
}

}  // namespace

std::uint32_t png_crc32(std::string_view bytes, std::uint32_t crc) {
  const auto& table = crc_table();
  crc = ~crc;
  for (char ch : bytes) crc = table[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::string insert_png_text_chunks(std::string_view png, const std::vector<PngTextChunk>& chunks,
                                   const std::string& name) {
  const std::size_t iend = walk_chunks(png, name, [](const Chunk&) {});
  std::string out(png.substr(0, iend));
  for (const auto& c : chunks) out += encode_text_chunk(c, name);
  out += png.substr(iend, 12);  // IEND itself; anything after it is dropped
  return out;
}

std::map<std::string, std::string> png_text_chunks_from_bytes(std::string_view bytes, const std::string& name,
                                                              std::vector<std::string>* notes) {
  std::map<std::string, std::string> text;
  const auto skip = [&](const Chunk& c, std::string_view keyword) {
    if (notes)
      notes->push_back(name + ": " + where(c.index, c.offset, c.type) + " \"" + latin1_to_utf8(keyword) +
                       "\": compressed chunk not supported, skipped");
  };
  walk_chunks(bytes, name, [&](const Chunk& c) {
    std::string_view data = c.data;
    if (c.type == "tEXt") {
      const std::string_view keyword = take_keyword(data, name, c);
      text[latin1_to_utf8(keyword)] = latin1_to_utf8(data);
    } else if (c.type == "zTXt") {
      skip(c, take_keyword(data, name, c));
    } else if (c.type == "iTXt") {
      const std::string_view keyword = take_keyword(data, name, c);
      if (data.size() < 2)
        throw_bad_input(name, where(c.index, c.offset, c.type), "truncated after the keyword");
      const auto flag = static_cast<unsigned char>(data[0]);
      if (flag > 1)
        throw_bad_input(name, where(c.index, c.offset, c.type), "compression flag must be 0 or 1");
      data.remove_prefix(2);
      for (const char* field : {"language tag", "translated keyword"}) {
        const auto nul = data.find('\0');
        if (nul == std::string_view::npos)
          throw_bad_input(name, where(c.index, c.offset, c.type),
                          std::string(field) + " is not NUL-terminated");
        data.remove_prefix(nul + 1);
      }
      if (flag == 1) {
        skip(c, keyword);
        return;
      }
      if (!is_valid_utf8(data))
        throw_bad_input(name, where(c.index, c.offset, c.type),
                        "text is not valid UTF-8 at byte " + std::to_string(first_invalid_utf8(data)));
      text[latin1_to_utf8(keyword)] = std::string(data);
    }
  });
  return text;
}

std::map<std::string, std::string> read_png_text_chunks(const std::string& path,
                                                        std::vector<std::string>* notes) {
  return png_text_chunks_from_bytes(read_file(path), path, notes);
}

}  // namespace storyscope
