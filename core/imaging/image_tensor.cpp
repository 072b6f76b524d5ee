#include "core/imaging/image_tensor.h"

#include <ATen/ATen.h>

#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "core/common/error.h"
#include "core/imaging/opencv_io.h"

namespace storyscope {
namespace {

std::string shape_text(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

// PIL's convert("L") fixed-point Rec. 601 weights (sum 65536), so a colour mask gives the
// same 8-bit levels diffusers' mask processor sees.
constexpr std::uint32_t kLumaR = 19595, kLumaG = 38470, kLumaB = 7471;

template <typename T>
float luminance(const T* px, float max_value) {
  // OpenCV stores colour as B, G, R.
  if constexpr (sizeof(T) == 1) {
    const std::uint32_t l = (px[2] * kLumaR + px[1] * kLumaG + px[0] * kLumaB + 0x8000u) >> 16;
    return static_cast<float>(l) / max_value;
  } else {
    const double l = (double(px[2]) * kLumaR + double(px[1]) * kLumaG + double(px[0]) * kLumaB) / 65536.0;
    return static_cast<float>(l / max_value);
  }
}

template <typename T>
at::Tensor mask_from_mat(const cv::Mat& m, MaskSource source) {
  const int channels = m.channels();
  const float max_value = sizeof(T) == 1 ? 255.0f : 65535.0f;
  const bool has_alpha = channels == 2 || channels == 4;
  const int alpha_channel = channels - 1;
  if (source == MaskSource::Auto) {
    bool translucent = false;
    if (has_alpha) {
      const T opaque = static_cast<T>(max_value);
      for (int y = 0; y < m.rows && !translucent; ++y) {
        const T* row = m.ptr<T>(y);
        for (int x = 0; x < m.cols; ++x)
          if (row[x * channels + alpha_channel] != opaque) {
            translucent = true;
            break;
          }
      }
    }
    source = translucent ? MaskSource::Alpha : MaskSource::Luminance;
  }
  at::Tensor out = at::empty({m.rows, m.cols}, at::kFloat);
  float* dst = out.data_ptr<float>();
  for (int y = 0; y < m.rows; ++y) {
    const T* row = m.ptr<T>(y);
    for (int x = 0; x < m.cols; ++x, ++dst) {
      const T* px = row + x * channels;
      if (source == MaskSource::Alpha)
        *dst = has_alpha ? static_cast<float>(px[alpha_channel]) / max_value : 1.0f;
      else if (channels <= 2)
        *dst = static_cast<float>(px[0]) / max_value;
      else
        *dst = luminance(px, max_value);
    }
  }
  return out;
}

}  // namespace

RgbImage image_from_tensor(const at::Tensor& chw, ValueRange range, const std::string& what) {
  if (!chw.defined()) throw_bad_input(what, "", "tensor is undefined");
  at::Tensor x = chw;
  if (x.dim() == 4) {
    if (x.size(0) != 1)
      throw_bad_input(what, "shape " + shape_text(chw), "a batch must hold exactly one image");
    x = x[0];
  }
  if (x.dim() != 3 || x.size(0) != 3)
    throw_bad_input(what, "shape " + shape_text(chw), "must be [3,H,W] or [1,3,H,W]");
  if (!at::isFloatingType(x.scalar_type()))
    throw_bad_input(what, "dtype " + std::string(c10::toString(x.scalar_type())), "must be a floating dtype");
  const std::int64_t h = x.size(1), w = x.size(2);
  if (h <= 0 || w <= 0 || h > (1 << 20) || w > (1 << 20))
    throw_bad_input(what, "shape " + shape_text(chw), "height and width must be in 1..2^20");

  // float32 throughout, as diffusers' numpy path: (x/2 + 0.5).clamp(0,1), *255, round.
  // Both torch.round and numpy's round are half-to-even.
  x = x.detach().to(at::kCPU).to(at::kFloat);
  if (range == ValueRange::MinusOneToOne) x = x / 2 + 0.5;
  x = at::nan_to_num(x, 0.0).clamp(0.0, 1.0).mul(255.0).round();
  const at::Tensor hwc = x.to(at::kByte).permute({1, 2, 0}).contiguous();

  RgbImage image;
  image.width = static_cast<int>(w);
  image.height = static_cast<int>(h);
  image.rgb.resize(image.expected_size());
  std::memcpy(image.rgb.data(), hwc.data_ptr<std::uint8_t>(), image.rgb.size());
  return image;
}

at::Tensor tensor_from_image(const RgbImage& image, ValueRange range) {
  if (!image.valid())
    throw_bad_input(
        "image", std::to_string(image.width) + "x" + std::to_string(image.height),
        "needs width, height > 0 and width*height*3 bytes, has " + std::to_string(image.rgb.size()));
  const at::Tensor hwc =
      at::from_blob(const_cast<std::uint8_t*>(image.rgb.data()), {image.height, image.width, 3}, at::kByte);
  at::Tensor x = hwc.permute({2, 0, 1}).to(at::kFloat).div(255.0);
  if (range == ValueRange::MinusOneToOne) x = x.mul(2.0).sub(1.0);
  return x.unsqueeze(0).contiguous();
}

at::Tensor read_mask_png(const std::string& path, MaskSource source) {
  const cv::Mat m = imaging_detail::decode_image_file(path, cv::IMREAD_UNCHANGED, /*require_png=*/true);
  const int channels = m.channels();
  if (channels < 1 || channels > 4)
    throw_bad_input(path, "", "unsupported channel count " + std::to_string(channels));
  switch (m.depth()) {
    case CV_8U:
      return mask_from_mat<std::uint8_t>(m, source);
    case CV_16U:
      return mask_from_mat<std::uint16_t>(m, source);
    default:
      throw_bad_input(path, "", "mask must have 8 or 16 bits per channel");
  }
}

}  // namespace storyscope
