#pragma once
// The engine's image type at module boundaries: plain bytes, so callers (GUI, CLI, story
// export) need neither OpenCV nor LibTorch to hold or pass an image.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace storyscope {

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // row-major, 3 bytes (R, G, B) per pixel, no row padding

  std::size_t expected_size() const {
    return static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  }
  bool valid() const { return width > 0 && height > 0 && rgb.size() == expected_size(); }
};

}  // namespace storyscope
