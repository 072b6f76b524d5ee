#pragma once
// Internal to core/imaging: file decoding through OpenCV with the engine's errors. Not for
// use outside core/imaging (the rest of the engine must build without OpenCV).
#include <opencv2/core/mat.hpp>
#include <string>

namespace storyscope::imaging_detail {

// Reads `path` and decodes it with cv::imdecode(`flags`); throws Error(BadInput) naming the
// file when it cannot be read, is not a PNG (when `require_png`) or does not decode.
cv::Mat decode_image_file(const std::string& path, int flags, bool require_png);

bool has_png_signature(const std::string& bytes);

}  // namespace storyscope::imaging_detail
