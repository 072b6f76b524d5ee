// Rasterising the shapes world: analytic inside tests with 4x4 supersampling, so coverage
// masks are exact up to 1/16 of a pixel and the renders are identical on every machine.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "core/common/error.h"
#include "core/demo/shapes_world.h"

namespace storyscope::shapes {

namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr int kSuper = 4;  // samples per pixel side

using Rgb = std::array<double, 3>;

// Main tone and pattern tone of every colour. Chosen so each tone stays >= 0.24 (RGB distance)
// from every background pixel, hue jitter included, and the pattern tone contrasts with the
// main tone: the checker segments objects by their distance from the background.
const Rgb kMainTone[kColourCount] = {
    {0.88, 0.10, 0.10}, {1.00, 0.55, 0.05}, {1.00, 0.92, 0.10}, {0.10, 0.82, 0.15}, {0.10, 0.25, 0.95},
    {0.58, 0.15, 0.80}, {1.00, 0.50, 0.78}, {0.98, 0.98, 0.98}, {0.03, 0.03, 0.03}, {0.52, 0.28, 0.08}};
const Rgb kPatternTone[kColourCount] = {
    {0.45, 0.02, 0.04}, {0.62, 0.28, 0.00}, {0.62, 0.52, 0.00}, {0.02, 0.42, 0.05}, {0.95, 0.95, 1.00},
    {0.90, 0.60, 1.00}, {0.80, 0.15, 0.45}, {0.50, 0.50, 0.50}, {0.42, 0.42, 0.42}, {0.28, 0.12, 0.02}};

// Backgrounds: a vertical gradient (top, bottom) plus a faint texture (amplitude <= 0.04).
const Rgb kBackgroundTop[kBackgroundCount] = {{0.30, 0.52, 0.90}, {0.42, 0.58, 0.20}, {0.10, 0.10, 0.28},
                                              {0.95, 0.80, 0.55}, {0.62, 0.66, 0.74}, {0.02, 0.42, 0.52}};
const Rgb kBackgroundBottom[kBackgroundCount] = {{0.55, 0.74, 0.96}, {0.30, 0.45, 0.12}, {0.20, 0.18, 0.40},
                                                 {0.80, 0.62, 0.38}, {0.76, 0.78, 0.84}, {0.00, 0.24, 0.38}};

Rgb jitter_hue(const Rgb& rgb, double jitter) {
  if (jitter == 0) return rgb;
  const double r = rgb[0], g = rgb[1], b = rgb[2];
  const double mx = std::max({r, g, b}), mn = std::min({r, g, b}), d = mx - mn;
  if (d <= 0) return rgb;  // grey: no hue to turn
  double h;
  if (mx == r)
    h = (g - b) / d / 6.0;
  else if (mx == g)
    h = ((b - r) / d + 2) / 6.0;
  else
    h = ((r - g) / d + 4) / 6.0;
  h += jitter;
  h -= std::floor(h);
  const double s = d / mx, v = mx;
  const double h6 = h * 6;
  const int sector = static_cast<int>(h6) % 6;
  const double f = h6 - std::floor(h6);
  const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  switch (sector) {
    case 0:
      return {v, t, p};
    case 1:
      return {q, v, p};
    case 2:
      return {p, v, t};
    case 3:
      return {p, q, v};
    case 4:
      return {t, p, v};
    default:
      return {v, p, q};
  }
}

Rgb background_at(Background bg, double x, double y) {
  const int i = static_cast<int>(bg);
  double t = y, texture = 0;
  Rgb tint{1, 1, 1};
  switch (bg) {
    case Background::Sky:  // soft cloud bands
      texture = 0.025 * std::sin(kTwoPi * (1.3 * x + 0.4)) * std::sin(kTwoPi * 2.1 * y);
      break;
    case Background::Grass:  // blades
      texture = 0.035 * std::sin(kTwoPi * (9 * x + 0.3 * std::sin(kTwoPi * 2 * y)));
      tint = {0.6, 1.0, 0.3};
      break;
    case Background::Night:
      texture = 0.015 * std::sin(kTwoPi * (3 * x + 2 * y));
      break;
    case Background::Desert:  // dunes
      t = std::clamp(y + 0.05 * std::sin(kTwoPi * 1.5 * x), 0.0, 1.0);
      texture = 0.03 * std::sin(kTwoPi * 6 * t);
      break;
    case Background::Snow: {  // flakes on a staggered lattice
      const double row = std::floor(y * 8);
      const double fx = x * 8 + 0.5 * std::fmod(row, 2.0), fy = y * 8;
      const double dx = fx - std::floor(fx) - 0.5, dy = fy - std::floor(fy) - 0.5;
      texture = std::hypot(dx, dy) < 0.16 ? 0.04 : 0.0;
      break;
    }
    case Background::Underwater:  // ripples
      texture = 0.03 * std::sin(kTwoPi * (4 * x + 0.8 * std::sin(kTwoPi * 3 * y)));
      tint = {0.2, 1.0, 1.0};
      break;
  }
  Rgb out;
  for (int c = 0; c < 3; ++c)
    out[c] = kBackgroundTop[i][c] * (1 - t) + kBackgroundBottom[i][c] * t + texture * tint[c];
  return out;
}

// (u, v): object frame, v up, circumradius 1.
// Radii (circumradius 1) within which a shape is certainly inside, and beyond which certainly
// outside: whole pixels there need no inside tests.
constexpr double kInnerRadius[kShapeCount] = {0.92, 0.67, 0.49, 0.36, 0.62, 0.52};
constexpr double kOuterRadius[kShapeCount] = {0.92, 0.97, 1.0, 1.0, 1.0, 1.0};

bool inside_shape(Shape shape, double u, double v) {
  switch (shape) {
    case Shape::Circle:
      return u * u + v * v <= 0.92 * 0.92;
    case Shape::Square:
      return std::abs(u) <= 0.68 && std::abs(v) <= 0.68;
    case Shape::Triangle:  // equilateral, apex up, vertices on the unit circle
      return v >= -0.5 && 1.7320508075688772 * u + v <= 1 && -1.7320508075688772 * u + v <= 1;
    case Shape::Star: {  // five points, inner radius 0.45: a point is inside its sector's kite
      const double r = std::hypot(u, v);
      if (r > 1) return false;
      if (r <= 0.45 * 0.809) return true;
      double a = std::atan2(u, v);  // 0 at the top point, clockwise
      const double sector = kTwoPi / 5;
      a = std::fmod(a + sector * 10.5, sector) - sector / 2;  // angle from the nearest point
      const double pu = r * std::sin(std::abs(a)), pv = r * std::cos(a);
      // Edge from the tip (0, 1) to the inner vertex at half a sector.
      const double iu = 0.45 * std::sin(sector / 2), iv = 0.45 * std::cos(sector / 2);
      return (iu - 0) * (pv - 1) - (iv - 1) * (pu - 0) <= 0;
    }
    case Shape::Heart: {  // (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, centred and scaled into the unit circle
      const double x = u * 1.313, y = v * 1.313 + 0.164;
      const double q = x * x + y * y - 1;
      return q * q * q - x * x * y * y * y <= 0;
    }
    case Shape::Diamond:
      return std::abs(u) / 0.62 + std::abs(v) <= 1;
  }
  return false;
}

// Pattern coordinates are in image fractions (so stripes are as wide on a small object as on a
// big one) and turn with the object; `on` marks the pattern tone.
bool pattern_on(Pattern pattern, double pu, double pv) {
  switch (pattern) {
    case Pattern::Plain:
      return false;
    case Pattern::Striped: {
      const double s = pv / 0.16 + 0.25;
      return s - std::floor(s) < 0.5;
    }
    case Pattern::Dotted: {
      const double a = pu / 0.16 + 0.5, b = pv / 0.16 + 0.5;
      const double du = (a - std::floor(a) - 0.5) * 0.16, dv = (b - std::floor(b) - 0.5) * 0.16;
      return du * du + dv * dv <= 0.045 * 0.045;
    }
    case Pattern::Checkered: {
      const long i = static_cast<long>(std::floor(pu / 0.09)), j = static_cast<long>(std::floor(pv / 0.09));
      return ((i + j) & 1) != 0;
    }
  }
  return false;
}

struct ObjectRaster {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // bounding box, [x0, x1) x [y0, y1)
  std::vector<float> coverage;         // (x1 - x0) * (y1 - y0)
  std::vector<Rgb> colour;             // premultiplied: sum of sample colours / samples
  std::vector<float> pattern;          // fraction of the pixel in the pattern tone
};

ObjectRaster rasterise(const ShapeObject& o, int size, bool with_colour) {
  ObjectRaster r;
  const double s = size, cx = o.cx * s, cy = o.cy * s, rad = std::max(o.radius * s, 1e-6);
  r.x0 = std::clamp(static_cast<int>(std::floor(cx - rad)) - 1, 0, size);
  r.x1 = std::clamp(static_cast<int>(std::ceil(cx + rad)) + 1, 0, size);
  r.y0 = std::clamp(static_cast<int>(std::floor(cy - rad)) - 1, 0, size);
  r.y1 = std::clamp(static_cast<int>(std::ceil(cy + rad)) + 1, 0, size);
  const int w = r.x1 - r.x0, h = r.y1 - r.y0;
  r.coverage.assign(static_cast<std::size_t>(w) * h, 0.f);
  if (with_colour) {
    r.colour.assign(static_cast<std::size_t>(w) * h, Rgb{0, 0, 0});
    r.pattern.assign(static_cast<std::size_t>(w) * h, 0.f);
  }
  const double c = std::cos(o.rotation), sn = std::sin(o.rotation);
  const Rgb main = jitter_hue(kMainTone[static_cast<int>(o.colour)], o.hue_jitter);
  const Rgb alt = jitter_hue(kPatternTone[static_cast<int>(o.colour)], o.hue_jitter);
  constexpr double kWeight = 1.0 / (kSuper * kSuper);
  for (int y = r.y0; y < r.y1; ++y) {
    for (int x = r.x0; x < r.x1; ++x) {
      // The pixel square's nearest and farthest distance from the centre, in radii.
      const double nx = std::max({x - cx, 0.0, cx - (x + 1)}), ny = std::max({y - cy, 0.0, cy - (y + 1)});
      const double fx = std::max(std::abs(x - cx), std::abs(x + 1 - cx));
      const double fy = std::max(std::abs(y - cy), std::abs(y + 1 - cy));
      const double near = std::hypot(nx, ny) / rad, far = std::hypot(fx, fy) / rad;
      const std::size_t k = static_cast<std::size_t>(y - r.y0) * w + (x - r.x0);
      if (near > kOuterRadius[static_cast<int>(o.shape)]) continue;  // stays 0
      const bool all_inside = far < kInnerRadius[static_cast<int>(o.shape)];
      if (all_inside && !with_colour) {
        r.coverage[k] = 1;
        continue;
      }
      int hits = 0, alt_hits = 0;
      for (int sy = 0; sy < kSuper; ++sy) {
        for (int sx = 0; sx < kSuper; ++sx) {
          const double dx = (x + (sx + 0.5) / kSuper - cx) / rad;
          const double up = -(y + (sy + 0.5) / kSuper - cy) / rad;
          // Undo the counter-clockwise rotation.
          const double u = c * dx + sn * up, v = -sn * dx + c * up;
          if (!all_inside && !inside_shape(o.shape, u, v)) continue;
          ++hits;
          if (with_colour && pattern_on(o.pattern, u * o.radius, v * o.radius)) ++alt_hits;
        }
      }
      r.coverage[k] = static_cast<float>(hits * kWeight);
      if (with_colour) {
        r.pattern[k] = static_cast<float>(alt_hits * kWeight);
        for (int ch = 0; ch < 3; ++ch)
          r.colour[k][ch] = ((hits - alt_hits) * main[ch] + alt_hits * alt[ch]) * kWeight;
      }
    }
  }
  return r;
}

void check_size(int size) {
  if (size < 8 || size > 4096) throw_bad_input("shapes world", "size", "image size must be in [8, 4096]");
}

}  // namespace

std::array<float, 3> colour_rgb(Colour c, double hue_jitter) {
  const Rgb v = jitter_hue(kMainTone[static_cast<int>(c)], hue_jitter);
  return {static_cast<float>(v[0]), static_cast<float>(v[1]), static_cast<float>(v[2])};
}

std::array<float, 3> pattern_rgb(Colour c, double hue_jitter) {
  const Rgb v = jitter_hue(kPatternTone[static_cast<int>(c)], hue_jitter);
  return {static_cast<float>(v[0]), static_cast<float>(v[1]), static_cast<float>(v[2])};
}

namespace {

at::Tensor compute_background(Background background, int size) {
  at::Tensor image = at::empty({3, size, size}, at::kFloat);
  float* p = image.data_ptr<float>();
  const std::size_t plane = static_cast<std::size_t>(size) * size;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const Rgb v = background_at(background, (x + 0.5) / size, (y + 0.5) / size);
      for (int c = 0; c < 3; ++c)
        p[c * plane + static_cast<std::size_t>(y) * size + x] = static_cast<float>(v[c]);
    }
  return image;
}

}  // namespace

at::Tensor render_background(Background background, int size) {
  check_size(size);
  // Backgrounds do not depend on the scene's seed: computed once per size (training renders
  // hundreds of thousands of scenes at one size).
  static std::mutex mutex;
  static std::map<std::pair<int, int>, at::Tensor> cache;
  std::lock_guard<std::mutex> lock(mutex);
  const std::pair<int, int> key{static_cast<int>(background), size};
  auto it = cache.find(key);
  if (it == cache.end()) {
    if (cache.size() > 64) cache.clear();
    it = cache.emplace(key, compute_background(background, size)).first;
  }
  return it->second.clone();
}

namespace {

at::Tensor to_image(const ObjectRaster& r, const std::vector<float>& values, int size) {
  at::Tensor out = at::zeros({size, size}, at::kFloat);
  float* p = out.data_ptr<float>();
  const int w = r.x1 - r.x0;
  for (int y = r.y0; y < r.y1; ++y)
    for (int x = r.x0; x < r.x1; ++x)
      p[static_cast<std::size_t>(y) * size + x] = values[static_cast<std::size_t>(y - r.y0) * w + (x - r.x0)];
  return out;
}

}  // namespace

at::Tensor object_coverage(const ShapeObject& object, int size) {
  check_size(size);
  const ObjectRaster r = rasterise(object, size, false);
  return to_image(r, r.coverage, size);
}

at::Tensor object_pattern_share(const ShapeObject& object, int size) {
  check_size(size);
  const ObjectRaster r = rasterise(object, size, true);
  return to_image(r, r.pattern, size);
}

Render render(const Scene& scene, int size) {
  check_size(size);
  Render out;
  out.image = render_background(scene.background, size);
  float* img = out.image.data_ptr<float>();
  const std::size_t plane = static_cast<std::size_t>(size) * size;
  const int n = static_cast<int>(scene.objects.size());
  std::vector<ObjectRaster> rasters;
  for (const ShapeObject& o : scene.objects) rasters.push_back(rasterise(o, size, true));
  // Painter's order: the companion first, the main object on top.
  for (int i = n - 1; i >= 0; --i) {
    const ObjectRaster& r = rasters[i];
    const int w = r.x1 - r.x0;
    for (int y = r.y0; y < r.y1; ++y)
      for (int x = r.x0; x < r.x1; ++x) {
        const std::size_t k = static_cast<std::size_t>(y - r.y0) * w + (x - r.x0);
        const float a = r.coverage[k];
        if (a == 0) continue;
        const std::size_t pix = static_cast<std::size_t>(y) * size + x;
        for (int c = 0; c < 3; ++c)
          img[c * plane + pix] = static_cast<float>(img[c * plane + pix] * (1 - a) + r.colour[k][c]);
      }
  }
  // Visible coverage: what objects drawn later (lower index) leave of each one.
  at::Tensor covered = at::zeros({size, size}, at::kFloat);
  out.coverage.resize(n);
  for (int i = 0; i < n; ++i) {
    const at::Tensor own = to_image(rasters[i], rasters[i].coverage, size);
    out.coverage[i] = own * (1 - covered);
    covered = covered + out.coverage[i];
  }
  out.background = (1 - covered).clamp(0, 1);
  return out;
}

std::vector<WordMask> word_masks(const std::string& caption, const Render& render) {
  std::vector<WordMask> out;
  for (const CaptionWord& w : caption_words(caption)) {
    switch (w.role) {
      case WordRole::Function:
        break;
      case WordRole::MainObject:
        if (render.coverage.empty()) throw_bad_input("caption", w.text, "the render has no object");
        out.push_back({w.text, w.index, render.coverage[0]});
        break;
      case WordRole::Companion:
        if (render.coverage.size() < 2)
          throw_bad_input("caption", w.text, "names a companion but the render has none");
        out.push_back({w.text, w.index, render.coverage[1]});
        break;
      case WordRole::Scene:
        out.push_back({w.text, w.index, render.background});
        break;
    }
  }
  return out;
}

}  // namespace storyscope::shapes
