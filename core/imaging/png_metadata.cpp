#include "core/imaging/png_metadata.h"

#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/json_text.h"
#include "core/imaging/opencv_io.h"

namespace storyscope {

std::string encode_png(const RgbImage& image, const std::vector<PngTextChunk>& chunks,
                       const std::string& name) {
  if (!image.valid())
    throw_bad_input(
        name, std::to_string(image.width) + "x" + std::to_string(image.height),
        "image needs width, height > 0 and width*height*3 bytes, has " + std::to_string(image.rgb.size()));
  const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> encoded;
  try {
    if (!cv::imencode(".png", bgr, encoded, {cv::IMWRITE_PNG_COMPRESSION, 6}))
      throw_bad_input(name, "", "OpenCV could not encode the image as PNG");
  } catch (const cv::Exception& e) {
    throw_bad_input(name, "", std::string("OpenCV could not encode the image as PNG: ") + e.what());
  }
  const std::string_view bytes(reinterpret_cast<const char*>(encoded.data()), encoded.size());
  return insert_png_text_chunks(bytes, chunks, name);
}

void write_png_with_chunks(const std::string& path, const RgbImage& image,
                           const std::vector<PngTextChunk>& chunks) {
  write_file_atomically(path, encode_png(image, chunks, path));
}

void write_png(const std::string& path, const RgbImage& image,
               const std::map<std::string, std::string>& text_chunks) {
  std::vector<PngTextChunk> chunks;
  for (const auto& [keyword, value] : text_chunks) chunks.push_back({keyword, value, PngTextEncoding::Auto});
  write_png_with_chunks(path, image, chunks);
}

RgbImage read_png(const std::string& path) {
  const cv::Mat bgr = imaging_detail::decode_image_file(path, cv::IMREAD_COLOR, /*require_png=*/true);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  RgbImage image;
  image.width = rgb.cols;
  image.height = rgb.rows;
  image.rgb.resize(image.expected_size());
  const std::size_t row_bytes = static_cast<std::size_t>(rgb.cols) * 3;
  for (int y = 0; y < rgb.rows; ++y)
    std::memcpy(image.rgb.data() + y * row_bytes, rgb.ptr<std::uint8_t>(y), row_bytes);
  return image;
}

void write_generation_png(const std::string& path, const RgbImage& image, const GenerationParameters& params,
                          const nlohmann::json& settings) {
  std::vector<PngTextChunk> chunks{
      {kParametersKeyword, format_a1111_parameters(params), PngTextEncoding::Auto}};
  if (!settings.is_null()) {
    std::string dumped;
    try {
      dumped = settings.dump();
    } catch (const nlohmann::json::exception& e) {
      throw_bad_input(path, kStoryScopeKeyword,
                      std::string("settings cannot be written as JSON: ") + e.what());
    }
    chunks.push_back({kStoryScopeKeyword, dumped, PngTextEncoding::International});
  }
  write_png_with_chunks(path, image, chunks);
}

PngGenerationInfo read_generation_png(const std::string& path) {
  PngGenerationInfo info;
  const auto text = read_png_text_chunks(path, &info.notes);
  if (const auto it = text.find(kParametersKeyword); it != text.end()) {
    info.parameters_text = it->second;
    info.parameters = parse_a1111_parameters(it->second);
  }
  if (const auto it = text.find(kStoryScopeKeyword); it != text.end()) {
    info.settings = parse_json_text(it->second, path, std::string(kStoryScopeKeyword) + " chunk");
  }
  return info;
}

}  // namespace storyscope
