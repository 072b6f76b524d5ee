#include "core/demo/shapes_checker.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "core/common/error.h"

namespace storyscope::shapes {

namespace {

constexpr double kPi = 3.141592653589793;
// A pixel this far (RGB distance) from the background model is foreground. Every tone of the
// world is >= 0.24 from every background, the textures are <= 0.04.
constexpr double kForeground = 0.1;
constexpr double kSizeThreshold = 0.15491933384829668;  // sqrt(kSmallRadius * kBigRadius)

using Rgb = std::array<double, 3>;

Rgb sub(const Rgb& a, const Rgb& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
double dot(const Rgb& a, const Rgb& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Rgb& a) { return std::sqrt(dot(a, a)); }
Rgb to_rgb(const std::array<float, 3>& v) { return {v[0], v[1], v[2]}; }

struct Image {
  int size = 0;
  std::vector<Rgb> px;  // row-major
  const Rgb& at(int x, int y) const { return px[static_cast<std::size_t>(y) * size + x]; }
};

Image from_tensor(const at::Tensor& t, int size) {
  Image img;
  img.size = size;
  img.px.resize(static_cast<std::size_t>(size) * size);
  const at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  const float* p = c.data_ptr<float>();
  const std::size_t plane = img.px.size();
  for (std::size_t i = 0; i < plane; ++i) img.px[i] = {p[i], p[plane + i], p[2 * plane + i]};
  return img;
}

// The world's backgrounds at one size, computed once.
const std::vector<Image>& background_prototypes(int size) {
  static std::mutex mutex;
  static std::map<int, std::vector<Image>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(size);
  if (it != cache.end()) return it->second;
  std::vector<Image> protos;
  for (int b = 0; b < kBackgroundCount; ++b)
    protos.push_back(from_tensor(render_background(static_cast<Background>(b), size), size));
  return cache.emplace(size, std::move(protos)).first->second;
}

// Area per squared circumradius and the centroid in the object frame (v up), per shape,
// measured on a large render once.
struct ShapeConstants {
  double area_per_r2 = 0, centroid_u = 0, centroid_v = 0;
};
const ShapeConstants& shape_constants(Shape s) {
  static const std::vector<ShapeConstants> constants = [] {
    std::vector<ShapeConstants> out;
    constexpr int kSize = 200;
    for (int i = 0; i < kShapeCount; ++i) {
      ShapeObject o;
      o.shape = static_cast<Shape>(i);
      o.radius = 0.45;
      const at::Tensor cov = object_coverage(o, kSize).to(at::kDouble);
      const double area = cov.sum().item<double>();
      const at::Tensor coords = (at::arange(kSize, at::kDouble) + 0.5) / kSize - 0.5;
      const double mx = (cov.sum(0) * coords).sum().item<double>() / area;
      const double my = (cov.sum(1) * coords).sum().item<double>() / area;
      out.push_back({area / (kSize * kSize) / (0.45 * 0.45), mx / 0.45, -my / 0.45});
    }
    return out;
  }();
  return constants[static_cast<int>(s)];
}

// Least squares p - bg = a1 (m - bg) + a2 (t - bg) with a1, a2 >= 0 and a1 + a2 <= 1: how much
// of a pixel is an object's main tone and pattern tone (the rest is background).
struct Unmixed {
  double main = 0, pattern = 0, residual = 0;
};
Unmixed unmix(const Rgb& p, const Rgb& bg, const Rgb& m, const Rgb& t) {
  const Rgb y = sub(p, bg), a = sub(m, bg), b = sub(t, bg);
  auto residual_of = [&](double a1, double a2) {
    const Rgb r = {y[0] - a1 * a[0] - a2 * b[0], y[1] - a1 * a[1] - a2 * b[1], y[2] - a1 * a[2] - a2 * b[2]};
    return norm(r);
  };
  Unmixed best;
  best.residual = 1e18;
  auto consider = [&](double a1, double a2) {
    const double r = residual_of(a1, a2);
    if (r < best.residual) best = {a1, a2, r};
  };
  const double aa = dot(a, a), bb = dot(b, b), ab = dot(a, b), ay = dot(a, y), by = dot(b, y);
  const double det = aa * bb - ab * ab;
  if (det > 1e-12) {
    const double a1 = (ay * bb - by * ab) / det, a2 = (by * aa - ay * ab) / det;
    if (a1 >= 0 && a2 >= 0 && a1 + a2 <= 1) return {a1, a2, residual_of(a1, a2)};
  }
  // The optimum is on the border of the triangle: one tone alone, or no background at all.
  consider(aa > 0 ? std::clamp(ay / aa, 0.0, 1.0) : 0, 0);
  consider(0, bb > 0 ? std::clamp(by / bb, 0.0, 1.0) : 0);
  const Rgb d = sub(m, t), z = sub(p, t);  // p = t + a1 (m - t) on the edge a1 + a2 = 1
  const double dd = dot(d, d);
  const double a1 = dd > 0 ? std::clamp(dot(d, z) / dd, 0.0, 1.0) : 0;
  consider(a1, 1 - a1);
  return best;
}

struct Component {
  std::vector<int> pixels;  // indices into the image
  double colour_score[kColourCount] = {};
  Colour best_colour = Colour::Red;
};

std::vector<Component> components(const std::vector<bool>& fg, int size) {
  std::vector<int> label(fg.size(), -1);
  std::vector<Component> out;
  const int min_pixels = std::max(3, size * size / 800);
  for (int start = 0; start < static_cast<int>(fg.size()); ++start) {
    if (!fg[start] || label[start] >= 0) continue;
    Component c;
    std::vector<int> stack{start};
    label[start] = static_cast<int>(out.size());
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      c.pixels.push_back(i);
      const int x = i % size, y = i / size;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= size || ny >= size) continue;
          const int j = ny * size + nx;
          if (fg[j] && label[j] < 0) {
            label[j] = label[start];
            stack.push_back(j);
          }
        }
    }
    out.push_back(std::move(c));
  }
  out.erase(
      std::remove_if(out.begin(), out.end(),
                     [&](const Component& c) { return static_cast<int>(c.pixels.size()) < min_pixels; }),
      out.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const Component& a, const Component& b) { return a.pixels.size() > b.pixels.size(); });
  return out;
}

// Mean unmixing residual of the component under each colour; a colour whose pattern tone has to
// explain most of the object is penalised (its main tone is what the object is mostly drawn in,
// except for checkered objects, which are half and half).
// Pixels whose eight neighbours all belong to the component: fully covered by the object.
std::vector<bool> inner_pixels(const std::vector<int>& pixels, int size) {
  std::vector<bool> in(static_cast<std::size_t>(size) * size, false), inner(pixels.size(), false);
  for (int i : pixels) in[i] = true;
  for (std::size_t k = 0; k < pixels.size(); ++k) {
    const int x = pixels[k] % size, y = pixels[k] / size;
    bool all = true;
    for (int dy = -1; dy <= 1 && all; ++dy)
      for (int dx = -1; dx <= 1 && all; ++dx) {
        const int nx = x + dx, ny = y + dy;
        all = nx >= 0 && ny >= 0 && nx < size && ny < size && in[ny * size + nx];
      }
    inner[k] = all;
  }
  return inner;
}

void score_colours(Component& c, const Image& img, const std::vector<Rgb>& bg) {
  double best = 1e9;
  const std::vector<bool> inner = inner_pixels(c.pixels, img.size);
  for (int k = 0; k < kColourCount; ++k) {
    const Rgb m = to_rgb(colour_rgb(static_cast<Colour>(k))), t = to_rgb(pattern_rgb(static_cast<Colour>(k)));
    double residual = 0, main = 0, pattern = 0;
    for (std::size_t j = 0; j < c.pixels.size(); ++j) {
      const int i = c.pixels[j];
      const Unmixed u = unmix(img.px[i], bg[i], m, t);
      residual += u.residual;
      // Inside the object nothing of the background shows: a colour that needs it there (brown
      // as red over grass) is the wrong colour.
      if (inner[j]) residual += 0.3 * (1 - u.main - u.pattern);
      main += u.main;
      pattern += u.pattern;
    }
    const double n = static_cast<double>(c.pixels.size());
    const double share = pattern / std::max(1e-9, main + pattern);
    const double score = residual / n + 0.1 * std::max(0.0, share - 0.6);
    c.colour_score[k] = score;
    if (score < best) best = score, c.best_colour = static_cast<Colour>(k);
  }
}

std::array<double, 2> rotate_offset(double u, double v, double rotation, double r) {
  // object frame (v up, counter-clockwise rotation) -> screen offset (y down)
  const double c = std::cos(rotation), s = std::sin(rotation);
  const double ru = c * u - s * v, rv = s * u + c * v;
  return {ru * r, -rv * r};
}

double hue_degrees(const Rgb& rgb) {
  const double mx = std::max({rgb[0], rgb[1], rgb[2]}), mn = std::min({rgb[0], rgb[1], rgb[2]});
  const double d = mx - mn;
  if (d < 0.05) return 0;
  double h;
  if (mx == rgb[0])
    h = std::fmod((rgb[1] - rgb[2]) / d + 6, 6.0);
  else if (mx == rgb[1])
    h = (rgb[2] - rgb[0]) / d + 2;
  else
    h = (rgb[0] - rgb[1]) / d + 4;
  return h * 60;
}

// Everything about one object, given its pixels and colour.
ObjectMeasurement measure(const Component& comp, Colour colour, const Image& img,
                          const std::vector<Rgb>& bg) {
  const int size = img.size;
  const std::size_t n = img.px.size();
  ObjectMeasurement m;
  m.found = true;
  m.colour = colour;
  const Rgb main_tone = to_rgb(colour_rgb(colour)), pattern_tone = to_rgb(pattern_rgb(colour));

  // The object's window: its pixels grown by one, to catch faint anti-aliased edges.
  std::vector<bool> window(n, false);
  for (int i : comp.pixels) {
    const int x = i % size, y = i / size;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int nx = x + dx, ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < size && ny < size) window[ny * size + nx] = true;
      }
  }
  std::vector<double> alpha(n, 0), share(n, 0);
  double area = 0, sx = 0, sy = 0;
  // The tones as drawn (hue jitter, a generated image's shading): the mean of the inner pixels
  // that are clearly one tone or the other.
  Rgb main_drawn = main_tone, pattern_drawn = pattern_tone;
  {
    std::vector<bool> in_comp(n, false);
    for (int i : comp.pixels) in_comp[i] = true;
    Rgb ms{0, 0, 0}, ps{0, 0, 0};
    double mc = 0, pc = 0;
    for (int i : comp.pixels) {
      const int x = i % size, y = i / size;
      bool inner = true;
      for (int dy = -1; dy <= 1 && inner; ++dy)
        for (int dx = -1; dx <= 1 && inner; ++dx) {
          const int nx = x + dx, ny = y + dy;
          inner = nx >= 0 && ny >= 0 && nx < size && ny < size && in_comp[ny * size + nx];
        }
      if (!inner) continue;
      const Unmixed u = unmix(img.px[i], bg[i], main_tone, pattern_tone);
      const double a = u.main + u.pattern;
      if (a < 0.75) continue;
      if (u.main > 0.8 * a) {
        for (int c = 0; c < 3; ++c) ms[c] += img.px[i][c];
        mc += 1;
      } else if (u.pattern > 0.8 * a) {
        for (int c = 0; c < 3; ++c) ps[c] += img.px[i][c];
        pc += 1;
      }
    }
    if (mc > 0) main_drawn = {ms[0] / mc, ms[1] / mc, ms[2] / mc};
    if (pc > 0) pattern_drawn = {ps[0] / pc, ps[1] / pc, ps[2] / pc};
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!window[i]) continue;
    const Unmixed u = unmix(img.px[i], bg[i], main_drawn, pattern_drawn);
    alpha[i] = std::clamp(u.main + u.pattern, 0.0, 1.0);
    share[i] = u.main + u.pattern > 1e-6 ? u.pattern / (u.main + u.pattern) : 0;
    area += alpha[i];
    sx += alpha[i] * ((i % size) + 0.5);
    sy += alpha[i] * ((i / size) + 0.5);
  }
  if (area <= 0) {
    m.found = false;
    return m;
  }
  const double gx = sx / area, gy = sy / area;
  m.area = area / (static_cast<double>(size) * size);

  // Shape, rotation and circumradius: the template (the world's own render) closest to the
  // measured coverage, placed so its centroid and area match.
  auto fit = [&](Shape shape, double rotation, ShapeObject& out) {
    const ShapeConstants& k = shape_constants(shape);
    const double r_px = std::sqrt(area / k.area_per_r2);
    const auto off = rotate_offset(k.centroid_u, k.centroid_v, rotation, r_px);
    out = ShapeObject{};
    out.shape = shape;
    out.rotation = rotation;
    out.radius = r_px / size;
    out.cx = (gx - off[0]) / size;
    out.cy = (gy - off[1]) / size;
    const at::Tensor t = object_coverage(out, size);
    const float* tp = t.data_ptr<float>();
    double err = 0;
    for (std::size_t i = 0; i < n; ++i) err += std::abs(alpha[i] - tp[i]);
    return err / area;
  };
  struct Candidate {
    double error;
    ShapeObject object;
  };
  std::vector<Candidate> best_per_shape;
  constexpr double kDegree = kPi / 180;
  for (int s = 0; s < kShapeCount; ++s) {
    const Shape shape = static_cast<Shape>(s);
    Candidate best{1e9, {}};
    const int steps = shape == Shape::Circle ? 0 : 5;
    for (int k = -steps; k <= steps; ++k) {
      ShapeObject o;
      const double e = fit(shape, k * 5 * kDegree, o);
      if (e < best.error) best = {e, o};
    }
    best_per_shape.push_back(best);
  }
  std::sort(best_per_shape.begin(), best_per_shape.end(),
            [](const Candidate& a, const Candidate& b) { return a.error < b.error; });
  // Refine the rotation of the two best shapes.
  for (int c = 0; c < 2; ++c) {
    Candidate& cand = best_per_shape[c];
    if (cand.object.shape == Shape::Circle) continue;
    for (double step : {2.5, 1.25}) {
      const double centre = cand.object.rotation;
      for (int k : {-1, 1}) {
        ShapeObject o;
        const double e = fit(cand.object.shape, centre + k * step * kDegree, o);
        if (e < cand.error) cand = {e, o};
      }
    }
  }
  const Candidate& winner =
      best_per_shape[0].error <= best_per_shape[1].error ? best_per_shape[0] : best_per_shape[1];
  m.shape = winner.object.shape;
  m.rotation = winner.object.rotation;
  m.radius = winner.object.radius;
  m.cx = winner.object.cx;
  m.cy = winner.object.cy;
  m.shape_error = winner.error;
  m.size = m.radius >= kSizeThreshold ? Size::Big : Size::Small;
  double nearest = 1e9;
  for (int p = 0; p < kPositionCount; ++p) {
    const auto a = position_anchor(static_cast<Position>(p));
    const double d = std::hypot(a[0] - m.cx, a[1] - m.cy);
    if (d < nearest) nearest = d, m.position = static_cast<Position>(p);
  }

  // Pattern: the pattern whose render explains the measured pattern share best.
  ShapeObject geometry = winner.object;
  geometry.colour = colour;
  const at::Tensor cov = object_coverage(geometry, size);
  const float* cp = cov.data_ptr<float>();
  double best_error = 1e18, weight = 0, share_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    weight += cp[i];
    share_sum += cp[i] * share[i];
  }
  m.pattern_share = weight > 0 ? share_sum / weight : 0;
  // A circle's outline does not show its rotation, but its pattern turns with it.
  const int turns = geometry.shape == Shape::Circle ? 10 : 0;
  for (int p = 0; p < kPatternCount; ++p) {
    geometry.pattern = static_cast<Pattern>(p);
    const int pattern_turns = geometry.pattern == Pattern::Plain ? 0 : turns;
    for (int k = -pattern_turns; k <= pattern_turns; ++k) {
      geometry.rotation = turns ? k * 2.5 * kDegree : winner.object.rotation;
      const at::Tensor predicted = object_pattern_share(geometry, size);
      const float* pp = predicted.data_ptr<float>();
      double e = 0;
      for (std::size_t i = 0; i < n; ++i)
        if (cp[i] > 0) e += cp[i] * std::abs(share[i] - pp[i] / cp[i]);
      if (e < best_error) best_error = e, m.pattern = static_cast<Pattern>(p);
    }
  }

  // Colour actually drawn: the mean of the pixels fully in the main tone.
  Rgb sum{0, 0, 0};
  double count = 0;
  for (int pass = 0; pass < 2 && count == 0; ++pass)
    for (std::size_t i = 0; i < n; ++i) {
      const bool take = pass == 0 ? (alpha[i] > 0.95 && share[i] < 0.2) : alpha[i] > 0.5;
      if (!take) continue;
      for (int c = 0; c < 3; ++c) sum[c] += img.px[i][c];
      count += 1;
    }
  if (count > 0)
    for (int c = 0; c < 3; ++c) m.mean_rgb[c] = sum[c] / count;
  m.hue = hue_degrees(m.mean_rgb);
  if (m.shape == Shape::Circle) m.rotation = 0;
  return m;
}

}  // namespace

bool CheckResult::all_ok() const {
  for (const auto& v : {scene_ok, colour_ok, shape_ok, size_ok, pattern_ok, position_ok, companion_ok})
    if (v && !*v) return false;
  return true;
}

CheckResult check_image(const at::Tensor& image, const std::string& caption) {
  if (!image.defined() || image.dim() != 3 || image.size(0) != 3 || image.size(1) != image.size(2) ||
      image.size(1) < 16)
    throw_bad_input("image", "shape", "must be [3, H, W] with H == W >= 16");
  CheckResult result;
  result.expected = parse_caption(caption);
  const int size = static_cast<int>(image.size(1));
  const Image img = from_tensor(image.clamp(0, 1), size);
  const std::size_t n = img.px.size();

  // Scene: the world background closest on the border (median, so objects touching it don't count).
  const std::vector<Image>& protos = background_prototypes(size);
  const int ring = std::max(1, size / 32);
  std::vector<int> border;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      if (x < ring || y < ring || x >= size - ring || y >= size - ring) border.push_back(y * size + x);
  double best = 1e9;
  for (int b = 0; b < kBackgroundCount; ++b) {
    std::vector<double> d;
    for (int i : border) d.push_back(norm(sub(img.px[i], protos[b].px[i])));
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    if (d[d.size() / 2] < best) best = d[d.size() / 2], result.background = static_cast<Background>(b);
  }

  // Background model: the prototype shifted as a whole by the border's median offset (an
  // under-trained model paints a sky pink or a desert brown, and the object on it is still
  // what the caption is judged on), then row by row by what the image's background pixels say
  // (a generated image's gradient is never exactly the world's).
  const Image& proto = protos[static_cast<int>(result.background)];
  std::vector<Rgb> bg(proto.px);
  for (int c = 0; c < 3; ++c) {
    std::vector<double> d;
    for (int i : border) d.push_back(img.px[i][c] - proto.px[i][c]);
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    for (Rgb& p : bg) p[c] += d[d.size() / 2];
  }
  for (int y = 0; y < size; ++y) {
    Rgb offset{0, 0, 0};
    int count = 0;
    for (int x = 0; x < size; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * size + x;
      const Rgb d = sub(img.px[i], bg[i]);
      if (norm(d) >= kForeground) continue;
      for (int c = 0; c < 3; ++c) offset[c] += d[c];
      ++count;
    }
    if (count * 4 < size) continue;
    for (int x = 0; x < size; ++x)
      for (int c = 0; c < 3; ++c) bg[static_cast<std::size_t>(y) * size + x][c] += offset[c] / count;
  }

  std::vector<bool> fg(n);
  for (std::size_t i = 0; i < n; ++i) fg[i] = norm(sub(img.px[i], bg[i])) > kForeground;
  std::vector<Component> comps = components(fg, size);
  if (comps.size() > 3) comps.resize(3);
  result.objects_found = static_cast<int>(comps.size());
  for (Component& c : comps) score_colours(c, img, bg);

  // Which component is which object.
  int main_index = comps.empty() ? -1 : 0, companion_index = -1;
  const CaptionSpec& spec = result.expected;
  if (spec.companion && comps.size() >= 2) {
    const int cc = static_cast<int>(spec.companion->colour);
    double best_cost = 1e18;
    for (int a = 0; a < static_cast<int>(comps.size()); ++a)
      for (int b = 0; b < static_cast<int>(comps.size()); ++b) {
        if (a == b) continue;
        const double main_cost = spec.colour ? comps[a].colour_score[static_cast<int>(*spec.colour)]
                                             : comps[a].colour_score[static_cast<int>(comps[a].best_colour)];
        // Prefer the bigger component for the main object only to break ties.
        const double cost = main_cost + comps[b].colour_score[cc] + 1e-6 * b;
        if (cost < best_cost) best_cost = cost, main_index = a, companion_index = b;
      }
  } else if (spec.colour && comps.size() >= 2) {
    // A generated background can leave blotches as big as the object: the main object is the
    // one in the stated colour, among components of at least a quarter of the biggest's size.
    const int sc = static_cast<int>(*spec.colour);
    for (int a = 1; a < static_cast<int>(comps.size()); ++a)
      if (comps[a].pixels.size() * 4 >= comps[0].pixels.size() &&
          comps[a].colour_score[sc] < comps[main_index].colour_score[sc])
        main_index = a;
  }
  if (main_index >= 0) result.main = measure(comps[main_index], comps[main_index].best_colour, img, bg);
  if (companion_index >= 0)
    result.companion = measure(comps[companion_index], comps[companion_index].best_colour, img, bg);

  const ObjectMeasurement& m = result.main;
  if (spec.background) result.scene_ok = result.background == *spec.background;
  result.shape_ok = m.found && m.shape == spec.shape;
  if (spec.colour) result.colour_ok = m.found && m.colour == *spec.colour;
  if (spec.size) result.size_ok = m.found && m.size == *spec.size;
  if (spec.pattern) result.pattern_ok = m.found && m.pattern == *spec.pattern;
  if (spec.position) result.position_ok = m.found && m.position == *spec.position;
  if (spec.companion)
    result.companion_ok = result.companion && result.companion->found &&
                          result.companion->colour == spec.companion->colour &&
                          result.companion->shape == spec.companion->shape;
  return result;
}

StoryDrift story_drift(const std::vector<ObjectMeasurement>& frames) {
  StoryDrift d;
  std::vector<const ObjectMeasurement*> used;
  for (const auto& f : frames)
    if (f.found) used.push_back(&f);
  d.frames = static_cast<int>(used.size());
  if (used.size() < 2) return d;
  const double n = static_cast<double>(used.size());
  double area_mean = 0, rot_mean = 0;
  Rgb colour_mean{0, 0, 0};
  int pattern_count[kPatternCount] = {};
  for (const auto* f : used) {
    area_mean += f->area / n;
    rot_mean += f->rotation / n;
    for (int c = 0; c < 3; ++c) colour_mean[c] += f->mean_rgb[c] / n;
    ++pattern_count[static_cast<int>(f->pattern)];
  }
  double area_var = 0, rot_var = 0, colour_var = 0;
  for (const auto* f : used) {
    area_var += (f->area - area_mean) * (f->area - area_mean) / n;
    rot_var += (f->rotation - rot_mean) * (f->rotation - rot_mean) / n;
    for (int c = 0; c < 3; ++c)
      colour_var += (f->mean_rgb[c] - colour_mean[c]) * (f->mean_rgb[c] - colour_mean[c]) / n;
  }
  d.area = area_mean > 0 ? std::sqrt(area_var) / area_mean : 0;
  d.hue = std::sqrt(colour_var) / 0.1;
  d.pattern = 1 - *std::max_element(pattern_count, pattern_count + kPatternCount) / n;
  d.rotation = std::sqrt(rot_var) / kMaxRotation;
  d.total = (d.area + d.hue + d.pattern + d.rotation) / 4;
  return d;
}

nlohmann::json to_json(const ObjectMeasurement& m) {
  if (!m.found) return {{"found", false}};
  return {{"found", true},
          {"shape", word(m.shape)},
          {"colour", word(m.colour)},
          {"size", word(m.size)},
          {"pattern", word(m.pattern)},
          {"position", word(m.position)},
          {"center", {m.cx, m.cy}},
          {"radius", m.radius},
          {"rotation_degrees", m.rotation * 180 / kPi},
          {"area", m.area},
          {"hue_degrees", m.hue},
          {"mean_rgb", {m.mean_rgb[0], m.mean_rgb[1], m.mean_rgb[2]}},
          {"pattern_share", m.pattern_share},
          {"shape_error", m.shape_error}};
}

nlohmann::json to_json(const CheckResult& r) {
  nlohmann::json verdicts = nlohmann::json::object();
  auto put = [&](const char* key, const std::optional<bool>& v) {
    if (v) verdicts[key] = *v;
  };
  put("scene", r.scene_ok);
  put("colour", r.colour_ok);
  put("shape", r.shape_ok);
  put("size", r.size_ok);
  put("pattern", r.pattern_ok);
  put("position", r.position_ok);
  put("companion", r.companion_ok);
  nlohmann::json j = {{"caption", caption_text(r.expected)},
                      {"scene", word(r.background)},
                      {"objects_found", r.objects_found},
                      {"main", to_json(r.main)},
                      {"verdicts", verdicts},
                      {"all_ok", r.all_ok()}};
  if (r.companion) j["companion"] = to_json(*r.companion);
  return j;
}

nlohmann::json to_json(const StoryDrift& d) {
  return {{"frames", d.frames},   {"area", d.area},         {"hue", d.hue},
          {"pattern", d.pattern}, {"rotation", d.rotation}, {"total", d.total}};
}

}  // namespace storyscope::shapes
