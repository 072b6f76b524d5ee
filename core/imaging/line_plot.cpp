#include "core/imaging/line_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"

namespace storyscope {
namespace {

const cv::Scalar kBlack(0, 0, 0), kGrid(225, 225, 225), kWhite(255, 255, 255);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

std::string tick_text(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a != 0 && (a >= 1e5 || a < 1e-3))
    std::snprintf(buf, sizeof buf, "%.1e", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// About `count` round tick values (1, 2, 5 x 10^k steps) covering [lo, hi].
std::vector<double> linear_ticks(double lo, double hi, int count) {
  const double raw = (hi - lo) / std::max(1, count);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(t);
  return ticks;
}

}  // namespace

RgbImage line_plot(const std::vector<PlotSeries>& series, const LinePlotOptions& o) {
  if (o.width < 200 || o.height < 150) throw_bad_input("line plot", "size", "must be at least 200x150");
  for (const auto& s : series)
    if (s.x.size() != s.y.size()) throw_bad_input("line plot", s.label, "x and y differ in length");

  const auto usable = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && (!o.log_y || y > 0);
  };
  const auto ty = [&](double y) { return o.log_y ? std::log10(y) : y; };
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (usable(s.x[i], s.y[i])) {
        x0 = std::min(x0, s.x[i]);
        x1 = std::max(x1, s.x[i]);
        y0 = std::min(y0, ty(s.y[i]));
        y1 = std::max(y1, ty(s.y[i]));
      }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y0 -= 0.5, y1 += 0.5;
  const double pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;

  cv::Mat img(o.height, o.width, CV_8UC3, kWhite);  // drawn as RGB: colours given in R, G, B order
  const int left = 80, right = 20, top = o.title.empty() ? 20 : 40, bottom = 55;
  const cv::Rect area(left, top, o.width - left - right, o.height - top - bottom);
  const auto px = [&](double x) {
    return area.x + static_cast<int>(std::lround((x - x0) / (x1 - x0) * area.width));
  };
  const auto py = [&](double y) {
    return area.y + area.height - static_cast<int>(std::lround((ty(y) - y0) / (y1 - y0) * area.height));
  };

  for (double t : linear_ticks(x0, x1, 8)) {
    const int x = px(t);
    cv::line(img, {x, area.y}, {x, area.y + area.height}, kGrid, 1);
    const std::string s = tick_text(t);
    int base = 0;
    const auto size = cv::getTextSize(s, kFont, 0.4, 1, &base);
    cv::putText(img, s, {x - size.width / 2, area.y + area.height + 16}, kFont, 0.4, kBlack, 1, cv::LINE_AA);
  }
  // Log axis: ticks at decades and their 2x / 5x when few decades are shown.
  std::vector<double> yticks;
  if (o.log_y) {
    for (double d = std::floor(y0); d <= std::ceil(y1); d += 1)
      for (double m : {1.0, 2.0, 5.0}) {
        const double v = std::log10(m) + d;
        if (v >= y0 && v <= y1 && (m == 1.0 || y1 - y0 < 3)) yticks.push_back(std::pow(10.0, v));
      }
    // A narrow range holds at most one of those: round values in between instead.
    if (yticks.size() < 3) {
      yticks.clear();
      for (double t : linear_ticks(std::pow(10.0, y0), std::pow(10.0, y1), 5))
        if (t > 0) yticks.push_back(t);
    }
  } else {
    yticks = linear_ticks(y0, y1, 6);
  }
  for (double t : yticks) {
    const int y = py(t);
    cv::line(img, {area.x, y}, {area.x + area.width, y}, kGrid, 1);
    const std::string s = tick_text(t);
    int base = 0;
    const auto size = cv::getTextSize(s, kFont, 0.4, 1, &base);
    cv::putText(img, s, {area.x - size.width - 6, y + 4}, kFont, 0.4, kBlack, 1, cv::LINE_AA);
  }
  cv::rectangle(img, area, kBlack, 1);

  for (const auto& s : series) {
    std::vector<cv::Point> pts;
    const cv::Scalar color(s.color[0], s.color[1], s.color[2]);
    const auto flush = [&] {
      if (pts.size() == 1) cv::circle(img, pts[0], 2, color, cv::FILLED, cv::LINE_AA);
      if (pts.size() > 1) cv::polylines(img, pts, false, color, s.thickness, cv::LINE_AA);
      pts.clear();
    };
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (usable(s.x[i], s.y[i])) pts.emplace_back(px(s.x[i]), py(s.y[i]));
    flush();
  }

  // Legend in the top-right corner, on white so curves under it stay readable around it.
  int labelled = 0, widest = 0;
  for (const auto& s : series) {
    if (s.label.empty()) continue;
    int base = 0;
    widest = std::max(widest, cv::getTextSize(s.label, kFont, 0.45, 1, &base).width);
    ++labelled;
  }
  const int lx = area.x + area.width - widest - 48;
  if (labelled > 0)
    cv::rectangle(img, cv::Rect(lx - 6, area.y + 4, widest + 48, labelled * 18 + 6), kWhite, cv::FILLED);
  int ly = area.y + 18;
  for (const auto& s : series) {
    if (s.label.empty()) continue;
    const cv::Scalar color(s.color[0], s.color[1], s.color[2]);
    cv::line(img, {lx, ly - 4}, {lx + 24, ly - 4}, color, 2, cv::LINE_AA);
    cv::putText(img, s.label, {lx + 30, ly}, kFont, 0.45, kBlack, 1, cv::LINE_AA);
    ly += 18;
  }
  if (!o.title.empty()) cv::putText(img, o.title, {left, 26}, kFont, 0.6, kBlack, 1, cv::LINE_AA);
  if (!o.x_label.empty()) {
    int base = 0;
    const auto size = cv::getTextSize(o.x_label, kFont, 0.45, 1, &base);
    cv::putText(img, o.x_label, {area.x + (area.width - size.width) / 2, o.height - 12}, kFont, 0.45, kBlack,
                1, cv::LINE_AA);
  }
  if (!o.y_label.empty())
    cv::putText(img, o.y_label, {8, top - 6 > 12 ? top - 6 : 14}, kFont, 0.45, kBlack, 1, cv::LINE_AA);

  RgbImage out;
  out.width = o.width;
  out.height = o.height;
  out.rgb.assign(img.data, img.data + img.total() * 3);
  return out;
}

}  // namespace storyscope
