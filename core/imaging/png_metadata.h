#pragma once
// PNG files with generation metadata: the A1111 `parameters` text other tools show, and a
// `storyscope` iTXt JSON document with the full settings so StoryScope can regenerate.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/imaging/generation_parameters.h"
#include "core/imaging/png_text.h"
#include "core/imaging/rgb_image.h"

namespace storyscope {

inline constexpr const char* kParametersKeyword = "parameters";
inline constexpr const char* kStoryScopeKeyword = "storyscope";

// The PNG bytes of `image` (8-bit RGB) followed by `chunks` before IEND. Throws
// Error(BadInput) naming `name` for an invalid image or chunk.
std::string encode_png(const RgbImage& image, const std::vector<PngTextChunk>& chunks,
                       const std::string& name = "PNG");

// Writes atomically (a crash leaves the old file or the new one). Text chunks use
// PngTextEncoding::Auto: tEXt for Latin-1 values, iTXt otherwise (as A1111/PIL).
void write_png(const std::string& path, const RgbImage& image,
               const std::map<std::string, std::string>& text_chunks = {});
void write_png_with_chunks(const std::string& path, const RgbImage& image,
                           const std::vector<PngTextChunk>& chunks);

// Any PNG OpenCV decodes (gray, RGB, RGBA, 16-bit: converted to 8-bit RGB, alpha dropped).
// Throws Error(BadInput) naming the file when it is missing, not a PNG or corrupt.
RgbImage read_png(const std::string& path);

// `parameters` (format_a1111_parameters) and, when `settings` is not null, `storyscope`
// (settings.dump(), always iTXt).
void write_generation_png(const std::string& path, const RgbImage& image, const GenerationParameters& params,
                          const nlohmann::json& settings = nullptr);

struct PngGenerationInfo {
  std::optional<std::string> parameters_text;  // the raw `parameters` chunk
  std::optional<GenerationParameters> parameters;
  nlohmann::json settings;         // the `storyscope` document, null when absent
  std::vector<std::string> notes;  // skipped chunks (see png_text_chunks_from_bytes)
};

// Throws Error(BadInput) on a malformed PNG or a `storyscope` chunk that is not JSON.
PngGenerationInfo read_generation_png(const std::string& path);

}  // namespace storyscope
