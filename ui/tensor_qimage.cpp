#include "ui/tensor_qimage.h"

#include <ATen/ATen.h>

#include <cstring>

namespace storyscope::ui {

QImage qimage_from_tensor(const at::Tensor& chw) {
  at::Tensor t = chw.dim() == 4 ? chw[0] : chw;
  // clamp, * 255, round half to even (at::round), like diffusers' numpy_to_pil.
  t = t.detach().to(at::kCPU, at::kFloat).nan_to_num(0.0).clamp(0.0, 1.0).mul(255.0).round().to(at::kByte);
  t = t.permute({1, 2, 0}).contiguous();
  const int height = static_cast<int>(t.size(0)), width = static_cast<int>(t.size(1));
  QImage image(width, height, QImage::Format_RGB888);
  const auto* src = t.data_ptr<std::uint8_t>();
  for (int y = 0; y < height; ++y)
    std::memcpy(image.scanLine(y), src + static_cast<std::size_t>(y) * width * 3,
                static_cast<std::size_t>(width) * 3);
  return image;
}

}  // namespace storyscope::ui
