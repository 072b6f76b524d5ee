#include "core/models/vision/pil_resize.h"

#include <ATen/ATen.h>

#include <cmath>
#include <vector>

#include "core/common/error.h"
#include "core/tensor/state_dict.h"

namespace storyscope {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS for 8-bit images
constexpr double kBicubicSupport = 2.0;

double bicubic_filter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// For each output pixel: the first input pixel it reads and its fixed-point weights.
struct Coefficients {
  std::vector<std::int64_t> first;
  std::vector<std::vector<std::int32_t>> weights;
};

Coefficients precompute_coefficients(std::int64_t in_size, std::int64_t out_size) {
  // Pillow passes the box as floats: in0 = 0, in1 = in_size.
  const double scale = static_cast<double>(static_cast<float>(in_size)) / static_cast<double>(out_size);
  const double filter_scale = scale < 1.0 ? 1.0 : scale;
  const double support = kBicubicSupport * filter_scale;
  Coefficients c;
  c.first.resize(static_cast<std::size_t>(out_size));
  c.weights.resize(static_cast<std::size_t>(out_size));
  for (std::int64_t xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filter_scale;
    // (int) truncation of a value rounded up by 0.5, as in Pillow (the value may be negative).
    std::int64_t xmin = static_cast<std::int64_t>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    std::int64_t xmax = static_cast<std::int64_t>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    std::vector<double> k(static_cast<std::size_t>(xmax));
    double ww = 0.0;
    for (std::int64_t x = 0; x < xmax; ++x) {
      k[x] = bicubic_filter((x + xmin - center + 0.5) * ss);
      ww += k[x];
    }
    auto& fixed = c.weights[xx];
    fixed.resize(k.size());
    for (std::size_t x = 0; x < k.size(); ++x) {
      const double w = ww != 0.0 ? k[x] / ww : k[x];
      const double scaled = w * (1 << kPrecisionBits);
      fixed[x] = static_cast<std::int32_t>(w < 0 ? -0.5 + scaled : 0.5 + scaled);
    }
    c.first[xx] = xmin;
  }
  return c;
}

std::uint8_t clip8(std::int64_t in) {
  if (in >= (std::int64_t(1) << kPrecisionBits << 8)) return 255;
  if (in <= 0) return 0;
  return static_cast<std::uint8_t>(in >> kPrecisionBits);
}

// One pass of Pillow's ImagingResampleHorizontal/Vertical_8bpc over a contiguous uint8
// [H, W, C]: axis 1 resizes the width, axis 0 the height.
at::Tensor resample_axis(const at::Tensor& src, int axis, std::int64_t out_size) {
  const auto h = src.size(0), w = src.size(1), ch = src.size(2);
  const std::int64_t in_size = axis == 1 ? w : h;
  const Coefficients coeffs = precompute_coefficients(in_size, out_size);
  const std::int64_t out_h = axis == 1 ? h : out_size, out_w = axis == 1 ? out_size : w;
  at::Tensor dst = at::empty({out_h, out_w, ch}, at::kByte);
  const std::uint8_t* in = src.data_ptr<std::uint8_t>();
  std::uint8_t* out = dst.data_ptr<std::uint8_t>();
  const std::int64_t step = axis == 1 ? ch : w * ch;  // distance between neighbours on the axis
  for (std::int64_t y = 0; y < out_h; ++y)
    for (std::int64_t x = 0; x < out_w; ++x) {
      const std::int64_t o = axis == 1 ? x : y;
      const auto& k = coeffs.weights[o];
      const std::int64_t base = axis == 1 ? (y * w + coeffs.first[o]) * ch : (coeffs.first[o] * w + x) * ch;
      for (std::int64_t c = 0; c < ch; ++c) {
        std::int64_t acc = std::int64_t(1) << (kPrecisionBits - 1);
        for (std::size_t i = 0; i < k.size(); ++i) acc += std::int64_t(in[base + i * step + c]) * k[i];
        out[(y * out_w + x) * ch + c] = clip8(acc);
      }
    }
  return dst;
}

}  // namespace

at::Tensor pil_bicubic_resize(const at::Tensor& image, std::int64_t width, std::int64_t height) {
  if (image.scalar_type() != at::kByte || image.dim() != 3)
    throw_bad_input("image", "pixels",
                    "must be uint8 [H, W, C], got " + shape_to_string(image.sizes().vec()) + " " +
                        std::string(c10::toString(image.scalar_type())));
  if (width <= 0 || height <= 0)
    throw_bad_input(
        "image", "size",
        "the resized size must be positive, not " + std::to_string(width) + "x" + std::to_string(height));
  at::Tensor x = image.to(at::kCPU).contiguous();
  // Pillow skips a pass whose size does not change; the horizontal pass runs first.
  if (width != x.size(1)) x = resample_axis(x, 1, width);
  if (height != x.size(0)) x = resample_axis(x, 0, height);
  return x;
}

}  // namespace storyscope
