#include "core/imaging/opencv_io.h"

#include <opencv2/imgcodecs.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"

namespace storyscope::imaging_detail {

bool has_png_signature(const std::string& bytes) {
  static const char kSignature[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
  return bytes.size() >= 8 && bytes.compare(0, 8, kSignature, 8) == 0;
}

cv::Mat decode_image_file(const std::string& path, int flags, bool require_png) {
  // Read the bytes ourselves: cv::imread answers every failure (missing file, no permission,
  // corrupt data) with the same empty Mat.
  const std::string bytes = read_file(path);
  if (bytes.empty()) throw_bad_input(path, "", "file is empty");
  if (require_png && !has_png_signature(bytes)) throw_bad_input(path, "signature", "not a PNG file");
  cv::Mat decoded;
  try {
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    decoded = cv::imdecode(raw, flags);
  } catch (const cv::Exception& e) {
    throw_bad_input(path, "", std::string("cannot decode image: ") + e.what());
  }
  if (decoded.empty()) throw_bad_input(path, "", "cannot decode image (corrupt, truncated or unsupported)");
  return decoded;
}

}  // namespace storyscope::imaging_detail
