// core/imaging/heatmap: colormap end colours (and RGB, not OpenCV's BGR, order), clamping,
// bicubic upsampling, overlay blending and the labelled token grid.
#include <ATen/ATen.h>

#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/imaging/heatmap.h"

using namespace storyscope;

namespace {

struct Rgb {
  int r, g, b;
};

Rgb pixel(const RgbImage& img, int x, int y) {
  const std::size_t i = (static_cast<std::size_t>(y) * img.width + x) * 3;
  return {img.rgb[i], img.rgb[i + 1], img.rgb[i + 2]};
}

bool all_pixels_equal(const RgbImage& img, Rgb want) {
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const Rgb p = pixel(img, x, y);
      if (p.r != want.r || p.g != want.g || p.b != want.b) return false;
    }
  return true;
}

RgbImage solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  RgbImage img;
  img.width = w;
  img.height = h;
  img.rgb.resize(img.expected_size());
  for (std::size_t i = 0; i < img.rgb.size(); i += 3) {
    img.rgb[i] = r;
    img.rgb[i + 1] = g;
    img.rgb[i + 2] = b;
  }
  return img;
}

// Pixels darker than the white strip background (any channel below 128) in a rectangle.
int dark_pixels(const RgbImage& img, int x0, int y0, int w, int h) {
  int count = 0;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      const Rgb p = pixel(img, x, y);
      if (p.r < 128 || p.g < 128 || p.b < 128) ++count;
    }
  return count;
}

template <typename F>
QString error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  } catch (const std::exception& e) {
    return "NOT AN Error: " + QString::fromStdString(e.what());
  }
  return "NO ERROR";
}

}  // namespace

class TestHeatmap : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void parse_and_name_colormaps() {
    for (const char* name : {"turbo", "jet", "viridis", "gray"})
      QCOMPARE(QString(colormap_name(parse_colormap(name))), QString(name));
    const QString err = error_of([] { parse_colormap("foo"); });
    qInfo() << err;
    QVERIFY(err.contains("colormap \"foo\""));
    QVERIFY(error_of([] { parse_colormap("Turbo"); }).contains("colormap \"Turbo\""));
  }

  void gray_end_colours_and_clamping() {
    const at::Tensor map = at::tensor({0.0f, 1.0f, -3.0f, 7.5f, 0.5f, std::nanf("")}).reshape({2, 3});
    const RgbImage img = colorize(map, Colormap::Gray);
    QCOMPARE(img.width, 3);
    QCOMPARE(img.height, 2);
    QVERIFY(img.valid());
    const Rgb black = pixel(img, 0, 0), white = pixel(img, 1, 0);
    QCOMPARE(black.r + black.g + black.b, 0);
    QVERIFY(white.r == 255 && white.g == 255 && white.b == 255);
    const Rgb below = pixel(img, 2, 0), above = pixel(img, 0, 1), half = pixel(img, 1, 1),
              nan = pixel(img, 2, 1);
    QCOMPARE(below.r + below.g + below.b, 0);
    QVERIFY(above.r == 255 && above.g == 255 && above.b == 255);
    QVERIFY(half.r == 128 && half.g == 128 && half.b == 128);  // 127.5 rounds to 128
    QCOMPARE(nan.r + nan.g + nan.b, 0);
  }

  void turbo_end_colours_in_rgb_order() {
    // OpenCV's turbo LUT: index 0 = (48, 18, 59), index 255 = (122, 4, 3) as RGB. Blue above
    // red at 0 and red far above blue at 1 catches a forgotten BGR -> RGB swap.
    const at::Tensor map = at::tensor({0.0, 1.0, -1.0, 2.0}, at::kDouble).reshape({2, 2});
    const RgbImage img = colorize(map, Colormap::Turbo);
    const Rgb lo = pixel(img, 0, 0), hi = pixel(img, 1, 0);
    qInfo("turbo(0) = (%d, %d, %d), turbo(1) = (%d, %d, %d)", lo.r, lo.g, lo.b, hi.r, hi.g, hi.b);
    QVERIFY(std::abs(lo.r - 48) <= 2 && std::abs(lo.g - 18) <= 2 && std::abs(lo.b - 59) <= 2);
    QVERIFY(std::abs(hi.r - 122) <= 2 && std::abs(hi.g - 4) <= 2 && std::abs(hi.b - 3) <= 2);
    const Rgb below = pixel(img, 0, 1), above = pixel(img, 1, 1);
    QVERIFY(below.r == lo.r && below.g == lo.g && below.b == lo.b);
    QVERIFY(above.r == hi.r && above.g == hi.g && above.b == hi.b);
    // Jet and viridis come from OpenCV as well: just their order (jet: blue -> red).
    const RgbImage jet = colorize(map, Colormap::Jet);
    QVERIFY(pixel(jet, 0, 0).b > pixel(jet, 0, 0).r);
    QVERIFY(pixel(jet, 1, 0).r > pixel(jet, 1, 0).b);
    const RgbImage viridis = colorize(map.to(at::kHalf), Colormap::Viridis);
    QVERIFY(viridis.valid());
  }

  void upsampling() {
    const RgbImage flat = colorize(at::full({4, 6}, 0.25f), Colormap::Turbo, 60, 40);
    QCOMPARE(flat.width, 60);
    QCOMPARE(flat.height, 40);
    QVERIFY(flat.valid());
    QVERIFY(all_pixels_equal(flat, pixel(colorize(at::full({1, 1}, 0.25f), Colormap::Turbo), 0, 0)));

    // A hard 0/1 edge overshoots under bicubic interpolation; the result must stay in range,
    // so the far sides keep exactly the end colours.
    at::Tensor step = at::zeros({4, 4});
    step.narrow(1, 2, 2).fill_(1.0);
    const RgbImage up = colorize(step, Colormap::Gray, 32, 16);
    QCOMPARE(up.width, 32);
    QCOMPARE(up.height, 16);
    const Rgb left = pixel(up, 0, 8), right = pixel(up, 31, 8);
    QCOMPARE(left.r, 0);
    QCOMPARE(right.r, 255);
    for (int x = 1; x < 32; ++x) QVERIFY(pixel(up, x, 8).r >= pixel(up, x - 1, 8).r);

    QVERIFY(error_of([] { colorize(at::zeros({2, 2, 2}), Colormap::Gray); }).contains("heatmap"));
    QVERIFY(error_of([] { colorize(at::zeros({2, 2}, at::kLong), Colormap::Gray); }).contains("heatmap"));
    QVERIFY(error_of([] { colorize(at::Tensor(), Colormap::Gray); }).contains("heatmap"));
  }

  void overlay_blends() {
    const RgbImage base = solid(20, 10, 10, 200, 30);
    const at::Tensor map = at::rand({5, 5});
    const RgbImage none = overlay(base, map, Colormap::Turbo, 0.0);
    QVERIFY(none.rgb == base.rgb);
    QCOMPARE(none.width, 20);
    QCOMPARE(none.height, 10);
    QVERIFY(overlay(base, map, Colormap::Turbo, -0.5).rgb == base.rgb);

    const RgbImage full = overlay(base, map, Colormap::Turbo, 1.0);
    QVERIFY(full.rgb == colorize(map, Colormap::Turbo, 20, 10).rgb);
    QVERIFY(overlay(base, map, Colormap::Turbo, 3.0).rgb == full.rgb);

    const RgbImage half = overlay(base, at::ones({5, 5}), Colormap::Gray, 0.5);
    const Rgb p = pixel(half, 7, 3);
    QVERIFY(std::abs(p.r - (10 + 255) / 2) <= 1 && std::abs(p.g - (200 + 255) / 2) <= 1 &&
            std::abs(p.b - (30 + 255) / 2) <= 1);

    RgbImage broken = base;
    broken.rgb.pop_back();
    QVERIFY(error_of([&] { overlay(broken, map, Colormap::Gray); }).contains("overlay"));
    QVERIFY(error_of([&] { overlay(RgbImage{}, map, Colormap::Gray); }).contains("overlay"));
  }

  void token_grid_layout_and_labels() {
    std::vector<RgbImage> tiles(5, solid(32, 32, 255, 255, 255));
    const std::vector<std::string> labels = {"cat", "", "a very long token label indeed",
                                             "caf\xc3\xa9 \xe2\x9c\x93", "dog"};
    const RgbImage grid = token_grid(tiles, labels);
    QCOMPARE(grid.width, 3 * 32);
    QVERIFY(grid.valid());
    const int strip = grid.height / 2 - 32;
    qInfo("grid %dx%d, label strip %d px", grid.width, grid.height, strip);
    QCOMPARE(grid.height % 2, 0);
    QVERIFY(strip >= 12 && strip <= 24);

    // Tiles are white here, so dark pixels can only come from label text.
    QVERIFY(dark_pixels(grid, 0, 32, 32, strip) > 0);                // "cat"
    QCOMPARE(dark_pixels(grid, 32, 32, 32, strip), 0);               // ""
    QVERIFY(dark_pixels(grid, 64, 32, 32, strip) > 0);               // shortened, still drawn
    QVERIFY(dark_pixels(grid, 0, 32 + strip + 32, 32, strip) > 0);   // non-ASCII -> '?'
    QCOMPARE(dark_pixels(grid, 0, 0, 96, 32), 0);                    // text stays in its strip
    QCOMPARE(dark_pixels(grid, 64, 32 + strip, 32, 32 + strip), 0);  // the empty cell stays white

    const RgbImage one_column = token_grid(tiles, labels, 1);
    QCOMPARE(one_column.width, 32);
    QCOMPARE(one_column.height, 5 * (32 + strip));
    const RgbImage wide = token_grid(tiles, {}, 9);  // more columns than tiles: one row
    QCOMPARE(wide.width, 5 * 32);
    QCOMPARE(wide.height, 32 + strip);
    QCOMPARE(dark_pixels(wide, 0, 32, wide.width, strip), 0);

    // The tiles' pixels are copied in place, in RGB order.
    std::vector<RgbImage> coloured = {solid(8, 8, 250, 0, 0), solid(8, 8, 0, 0, 250)};
    const RgbImage pair = token_grid(coloured, {"a", "b"});
    QCOMPARE(pair.width, 16);
    QCOMPARE(pixel(pair, 3, 3).r, 250);
    QCOMPARE(pixel(pair, 11, 3).b, 250);
  }

  void token_grid_errors() {
    std::vector<RgbImage> tiles = {solid(32, 32, 0, 0, 0), solid(32, 32, 0, 0, 0), solid(16, 32, 0, 0, 0)};
    const QString unequal = error_of([&] { token_grid(tiles, {}); });
    qInfo() << unequal;
    QVERIFY(unequal.contains("tile 2"));
    QVERIFY(error_of([] { token_grid({}, {}); }).contains("token grid"));
    tiles.pop_back();
    QVERIFY(error_of([&] { token_grid(tiles, {"a", "b", "c"}); }).contains("labels"));
    QVERIFY(error_of([&] { token_grid(tiles, {}, -1); }).contains("columns"));
  }
};

QTEST_APPLESS_MAIN(TestHeatmap)
#include "test_heatmap.moc"
