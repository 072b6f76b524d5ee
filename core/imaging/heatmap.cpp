#include "core/imaging/heatmap.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"

namespace storyscope {
namespace {

constexpr int kLabelStripHeight = 18;
constexpr double kLabelFontScale = 0.4;
constexpr int kLabelPadding = 2;
const char* const kEllipsis = "...";

RgbImage image_from_rgb_mat(const cv::Mat& rgb) {
  RgbImage out;
  out.width = rgb.cols;
  out.height = rgb.rows;
  out.rgb.resize(out.expected_size());
  const std::size_t row_bytes = static_cast<std::size_t>(rgb.cols) * 3;
  for (int y = 0; y < rgb.rows; ++y)
    std::copy_n(rgb.ptr<std::uint8_t>(y), row_bytes, out.rgb.data() + y * row_bytes);
  return out;
}

// The map as a CPU float32 Mat in [0, 1] at the requested size. NaN counts as 0 so one bad
// value cannot poison the bicubic neighbourhood around it.
cv::Mat normalized_map(const at::Tensor& map, int width, int height) {
  if (!map.defined()) throw_bad_input("heatmap", "", "tensor is undefined");
  if (map.dim() != 2)
    throw_bad_input("heatmap", "shape", "expected [h, w], got " + std::to_string(map.dim()) + " dims");
  if (!at::isFloatingType(map.scalar_type()))
    throw_bad_input("heatmap", "dtype",
                    std::string("expected a floating dtype, got ") + c10::toString(map.scalar_type()));
  if (map.size(0) <= 0 || map.size(1) <= 0) throw_bad_input("heatmap", "shape", "map is empty");
  if (width < 0 || height < 0)
    throw_bad_input("heatmap", "size",
                    "negative size " + std::to_string(width) + "x" + std::to_string(height));

  at::Tensor cpu = at::nan_to_num(map.detach().to(at::kCPU, at::kFloat), 0.0).clamp(0.0, 1.0).contiguous();
  const int rows = static_cast<int>(cpu.size(0));
  const int cols = static_cast<int>(cpu.size(1));
  cv::Mat m = cv::Mat(rows, cols, CV_32F, cpu.data_ptr<float>()).clone();

  const int out_w = width > 0 ? width : cols;
  const int out_h = height > 0 ? height : rows;
  if (out_w != cols || out_h != rows) {
    cv::Mat resized;
    cv::resize(m, resized, cv::Size(out_w, out_h), 0, 0, cv::INTER_CUBIC);
    // Bicubic overshoots near edges of the map.
    cv::min(resized, 1.0, resized);
    cv::max(resized, 0.0, resized);
    m = resized;
  }
  return m;
}

int opencv_colormap(Colormap c) {
  switch (c) {
    case Colormap::Turbo:
      return cv::COLORMAP_TURBO;
    case Colormap::Jet:
      return cv::COLORMAP_JET;
    case Colormap::Viridis:
      return cv::COLORMAP_VIRIDIS;
    case Colormap::Gray:
      break;
  }
  return -1;
}

// Hershey fonts only cover printable ASCII: each other UTF-8 sequence becomes one '?'.
std::string ascii_label(const std::string& utf8) {
  std::string out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {
      out += (b >= 0x20 && b < 0x7F) ? static_cast<char>(b) : '?';
      ++i;
      continue;
    }
    out += '?';
    ++i;
    if (b >= 0xC0)  // lead byte: swallow its continuation bytes
      while (i < utf8.size() && (static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80) ++i;
  }
  return out;
}

int text_width(const std::string& text) {
  int baseline = 0;
  return cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, kLabelFontScale, 1, &baseline).width;
}

std::string fitted_label(const std::string& text, int max_width) {
  if (text_width(text) <= max_width) return text;
  std::string shortened = text;
  while (!shortened.empty()) {
    shortened.pop_back();
    if (text_width(shortened + kEllipsis) <= max_width) return shortened + kEllipsis;
  }
  return text_width(kEllipsis) <= max_width ? kEllipsis : "";
}

void draw_label(cv::Mat strip, const std::string& label) {
  const std::string text = fitted_label(ascii_label(label), strip.cols - 2 * kLabelPadding);
  if (text.empty()) return;
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, kLabelFontScale, 1, &baseline);
  const int x = std::max(kLabelPadding, (strip.cols - size.width) / 2);
  const int y = (strip.rows + size.height) / 2;
  cv::putText(strip, text, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, kLabelFontScale, cv::Scalar(0, 0, 0), 1,
              cv::LINE_AA);
}

}  // namespace

Colormap parse_colormap(const std::string& name) {
  if (name == "turbo") return Colormap::Turbo;
  if (name == "jet") return Colormap::Jet;
  if (name == "viridis") return Colormap::Viridis;
  if (name == "gray") return Colormap::Gray;
  throw_bad_input("colormap \"" + name + "\"", "", "unknown colormap (expected turbo, jet, viridis or gray)");
}

const char* colormap_name(Colormap c) {
  switch (c) {
    case Colormap::Turbo:
      return "turbo";
    case Colormap::Jet:
      return "jet";
    case Colormap::Viridis:
      return "viridis";
    case Colormap::Gray:
      return "gray";
  }
  return "?";
}

RgbImage colorize(const at::Tensor& map, Colormap colormap, int width, int height) {
  const cv::Mat values = normalized_map(map, width, height);
  cv::Mat gray;
  values.convertTo(gray, CV_8U, 255.0);  // saturating, rounds to nearest
  cv::Mat rgb;
  if (colormap == Colormap::Gray) {
    cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
  } else {
    cv::Mat bgr;
    cv::applyColorMap(gray, bgr, opencv_colormap(colormap));
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  }
  return image_from_rgb_mat(rgb);
}

RgbImage overlay(const RgbImage& base, const at::Tensor& map, Colormap colormap, double opacity) {
  if (!base.valid())
    throw_bad_input("overlay base image", "",
                    "not a valid image (" + std::to_string(base.width) + "x" + std::to_string(base.height) +
                        ", " + std::to_string(base.rgb.size()) + " bytes)");
  const double a = std::isnan(opacity) ? 0.0 : std::clamp(opacity, 0.0, 1.0);
  const RgbImage color = colorize(map, colormap, base.width, base.height);
  RgbImage out = base;
  for (std::size_t i = 0; i < out.rgb.size(); ++i) {
    const double v = base.rgb[i] * (1.0 - a) + color.rgb[i] * a;
    out.rgb[i] = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
  }
  return out;
}

RgbImage token_grid(const std::vector<RgbImage>& tiles, const std::vector<std::string>& labels, int columns) {
  if (tiles.empty()) throw_bad_input("token grid", "tiles", "no tiles to lay out");
  if (labels.size() > tiles.size())
    throw_bad_input("token grid", "labels",
                    std::to_string(labels.size()) + " labels for " + std::to_string(tiles.size()) + " tiles");
  if (columns < 0)
    throw_bad_input("token grid", "columns", "negative column count " + std::to_string(columns));
  const int tile_w = tiles[0].width;
  const int tile_h = tiles[0].height;
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const RgbImage& t = tiles[i];
    if (!t.valid()) throw_bad_input("token grid", "tile " + std::to_string(i), "not a valid image");
    if (t.width != tile_w || t.height != tile_h)
      throw_bad_input("token grid", "tile " + std::to_string(i),
                      "is " + std::to_string(t.width) + "x" + std::to_string(t.height) + ", tile 0 is " +
                          std::to_string(tile_w) + "x" + std::to_string(tile_h) +
                          " (tiles must be equal in size)");
  }

  const int n = static_cast<int>(tiles.size());
  int cols = columns > 0 ? columns : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  cols = std::clamp(cols, 1, n);
  const int rows = (n + cols - 1) / cols;
  const int cell_h = tile_h + kLabelStripHeight;

  cv::Mat grid(rows * cell_h, cols * tile_w, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int i = 0; i < n; ++i) {
    const int x = (i % cols) * tile_w;
    const int y = (i / cols) * cell_h;
    const cv::Mat tile(tile_h, tile_w, CV_8UC3, const_cast<std::uint8_t*>(tiles[i].rgb.data()));
    tile.copyTo(grid(cv::Rect(x, y, tile_w, tile_h)));
    if (static_cast<std::size_t>(i) < labels.size())
      draw_label(grid(cv::Rect(x, y + tile_h, tile_w, kLabelStripHeight)), labels[i]);
  }
  return image_from_rgb_mat(grid);
}

}  // namespace storyscope
