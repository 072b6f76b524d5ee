#pragma once
// Simple line charts (training loss curves): axes with tick labels, one polyline per series, a
// legend. Non-finite points are skipped, so sparse series (validation every N steps) can share
// the x axis with dense ones.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/imaging/rgb_image.h"

namespace storyscope {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;  // same length
  std::array<std::uint8_t, 3> color{31, 119, 180};
  int thickness = 1;
};

struct LinePlotOptions {
  int width = 900, height = 500;
  std::string title, x_label, y_label;
  bool log_y = false;  // non-positive values are skipped on a log axis
};

// Throws Error(BadInput) when a series' x and y differ in length or the size is too small.
RgbImage line_plot(const std::vector<PlotSeries>& series, const LinePlotOptions& options = {});

}  // namespace storyscope
