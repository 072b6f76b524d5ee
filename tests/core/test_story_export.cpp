// Story export images: the strip and the labelled grid (geometry and pixels), the GIF encoder
// (decoded here by an independent GIF89a reader: frames, delays, loop extension, LZW with
// clear codes, pixels equal to the palette-mapped input, exact for <= 256 colours) and the
// MP4 writer (read back with cv::VideoCapture when this OpenCV build can write MP4).
#include <unistd.h>

#include <QtTest/QtTest>
#include <array>
#include <filesystem>
#include <functional>
#include <opencv2/videoio.hpp>
#include <random>
#include <set>
#include <stdexcept>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/imaging/story_export.h"

using namespace storyscope;
namespace fs = std::filesystem;

namespace {

RgbImage blank(int w, int h) {
  RgbImage img;
  img.width = w;
  img.height = h;
  img.rgb.assign(img.expected_size(), 0);
  return img;
}

RgbImage random_image(int w, int h, std::uint32_t seed) {
  std::mt19937 rng(seed);
  RgbImage img = blank(w, h);
  for (auto& b : img.rgb) b = static_cast<std::uint8_t>(rng() & 0xFF);
  return img;
}

// Pixels drawn from `colours` (a fixed random set), so the frames hold at most that many.
std::vector<RgbImage> frames_with_colours(int frames, int w, int h, int colours, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::array<std::uint8_t, 3>> set(colours);
  for (auto& c : set)
    for (auto& v : c) v = static_cast<std::uint8_t>(rng() & 0xFF);
  std::vector<RgbImage> out;
  for (int f = 0; f < frames; ++f) {
    RgbImage img = blank(w, h);
    for (int i = 0; i < w * h; ++i) {
      const auto& c = set[rng() % colours];
      std::copy(c.begin(), c.end(), img.rgb.begin() + 3 * i);
    }
    out.push_back(std::move(img));
  }
  return out;
}

const std::uint8_t* pixel(const RgbImage& img, int x, int y) {
  return &img.rgb[3 * (std::size_t(y) * img.width + x)];
}

// True when `img` holds `part` with its top-left corner at (x0, y0).
bool holds(const RgbImage& img, const RgbImage& part, int x0, int y0) {
  for (int y = 0; y < part.height; ++y)
    if (!std::equal(pixel(part, 0, y), pixel(part, 0, y) + 3 * part.width, pixel(img, x0, y0 + y)))
      return false;
  return true;
}

bool uniform(const RgbImage& img, int x0, int y0, int w, int h, int value) {
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x)
      for (int c = 0; c < 3; ++c)
        if (pixel(img, x, y)[c] != value) return false;
  return true;
}

int darkest(const RgbImage& img, int x0, int y0, int w, int h) {
  int v = 255;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x)
      v = std::min<int>(v, *std::min_element(pixel(img, x, y), pixel(img, x, y) + 3));
  return v;
}

std::string bad_input_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind() == ErrorKind::BadInput ? e.what() : std::string("wrong kind: ") + e.what();
  }
  return {};
}

// ---- A GIF89a reader written from the specification, independent of the encoder ----

struct DecodedGif {
  int width = 0, height = 0;
  std::vector<std::array<std::uint8_t, 3>> palette;
  int loop_count = -1;  // from NETSCAPE2.0; -1 when absent
  std::vector<int> delays_cs;
  std::vector<RgbImage> frames;
  int clear_codes = 0;  // clear codes seen past the first of each frame (table resets)
  int widest_code = 0;  // largest code width used, in bits
};

class Reader {
 public:
  explicit Reader(const std::string& bytes) : b_(bytes) {}
  int u8() {
    if (pos_ >= b_.size()) throw std::runtime_error("GIF truncated");
    return static_cast<std::uint8_t>(b_[pos_++]);
  }
  int u16() {
    const int lo = u8();
    return lo | (u8() << 8);
  }
  std::string take(std::size_t n) {
    if (pos_ + n > b_.size()) throw std::runtime_error("GIF truncated");
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // Concatenated data sub-blocks up to the zero-length terminator.
  std::string sub_blocks() {
    std::string data;
    for (int n = u8(); n != 0; n = u8()) data += take(n);
    return data;
  }
  bool at_end() const { return pos_ == b_.size(); }

 private:
  const std::string& b_;
  std::size_t pos_ = 0;
};

std::vector<std::uint8_t> lzw_decode(int min_code_size, const std::string& data, std::size_t expected,
                                     DecodedGif& gif) {
  const int clear = 1 << min_code_size, end = clear + 1;
  std::vector<std::vector<std::uint8_t>> table;
  int code_size = min_code_size + 1;
  const auto reset = [&] {
    table.clear();
    for (int i = 0; i < clear; ++i) table.push_back({static_cast<std::uint8_t>(i)});
    table.push_back({});  // clear
    table.push_back({});  // end
    code_size = min_code_size + 1;
  };
  reset();
  std::size_t bit = 0;
  const auto read_code = [&] {
    if (bit + code_size > data.size() * 8) throw std::runtime_error("LZW data ends before the end code");
    int code = 0;
    for (int i = 0; i < code_size; ++i, ++bit)
      code |= ((static_cast<std::uint8_t>(data[bit / 8]) >> (bit % 8)) & 1) << i;
    gif.widest_code = std::max(gif.widest_code, code_size);
    return code;
  };
  std::vector<std::uint8_t> out;
  int prev = -1;
  bool first = true;
  for (;;) {
    const int code = read_code();
    if (code == clear) {
      if (!first) ++gif.clear_codes;
      first = false;
      reset();
      prev = -1;
      continue;
    }
    first = false;
    if (code == end) break;
    std::vector<std::uint8_t> entry;
    if (prev < 0) {
      if (code >= clear) throw std::runtime_error("first code after clear is not a root");
      entry = table[code];
    } else {
      if (code < static_cast<int>(table.size()))
        entry = table[code];
      else if (code == static_cast<int>(table.size()) && table.size() < 4096)
        entry = table[prev], entry.push_back(table[prev][0]);
      else
        throw std::runtime_error("LZW code " + std::to_string(code) + " not in the table");
      if (table.size() < 4096) {
        auto added = table[prev];
        added.push_back(entry[0]);
        table.push_back(std::move(added));
      }
    }
    out.insert(out.end(), entry.begin(), entry.end());
    if (static_cast<int>(table.size()) == (1 << code_size) && code_size < 12) ++code_size;
    prev = code;
  }
  if ((bit + 7) / 8 != data.size()) throw std::runtime_error("bytes left after the end code");
  if (out.size() != expected) throw std::runtime_error("decoded " + std::to_string(out.size()) + " pixels");
  return out;
}

DecodedGif decode_gif(const std::string& bytes) {
  DecodedGif gif;
  Reader r(bytes);
  if (r.take(6) != "GIF89a") throw std::runtime_error("not GIF89a");
  gif.width = r.u16();
  gif.height = r.u16();
  const int packed = r.u8();
  r.u8();  // background
  r.u8();  // aspect
  if (!(packed & 0x80)) throw std::runtime_error("no global colour table");
  const int entries = 1 << ((packed & 7) + 1);
  for (int i = 0; i < entries; ++i) {
    std::array<std::uint8_t, 3> c;
    for (auto& v : c) v = static_cast<std::uint8_t>(r.u8());
    gif.palette.push_back(c);
  }
  int pending_delay = -1;
  for (;;) {
    const int block = r.u8();
    if (block == 0x3B) break;
    if (block == 0x21) {
      const int label = r.u8();
      if (label == 0xF9) {
        const std::string gce = r.sub_blocks();
        if (gce.size() != 4) throw std::runtime_error("bad graphic control extension");
        pending_delay = static_cast<std::uint8_t>(gce[1]) | (static_cast<std::uint8_t>(gce[2]) << 8);
      } else if (label == 0xFF) {
        const std::string app = r.sub_blocks();
        if (app.substr(0, 11) == "NETSCAPE2.0" && app.size() == 14 && app[11] == 1)
          gif.loop_count = static_cast<std::uint8_t>(app[12]) | (static_cast<std::uint8_t>(app[13]) << 8);
      } else {
        r.sub_blocks();
      }
    } else if (block == 0x2C) {
      const int left = r.u16(), top = r.u16(), w = r.u16(), h = r.u16();
      const int flags = r.u8();
      if (left != 0 || top != 0 || w != gif.width || h != gif.height || flags != 0)
        throw std::runtime_error("frame does not cover the screen plainly");
      const int min_code_size = r.u8();
      const auto indices = lzw_decode(min_code_size, r.sub_blocks(), std::size_t(w) * h, gif);
      RgbImage img = blank(w, h);
      for (std::size_t i = 0; i < indices.size(); ++i)
        std::copy(gif.palette[indices[i]].begin(), gif.palette[indices[i]].end(), img.rgb.begin() + 3 * i);
      gif.frames.push_back(std::move(img));
      gif.delays_cs.push_back(pending_delay);
      pending_delay = -1;
    } else {
      throw std::runtime_error("unknown block " + std::to_string(block));
    }
  }
  if (!r.at_end()) throw std::runtime_error("bytes after the trailer");
  return gif;
}

int squared_distance(const std::uint8_t* a, const std::array<std::uint8_t, 3>& b) {
  int d = 0;
  for (int c = 0; c < 3; ++c) d += (int(a[c]) - b[c]) * (int(a[c]) - b[c]);
  return d;
}

std::string temp_dir(const std::string& tag) {
  const auto dir =
      fs::temp_directory_path() / ("storyscope-test-export-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace

class TestStoryExport : public QObject {
  Q_OBJECT
 private slots:
  void stripPlacesFramesSideBySide() {
    const auto a = random_image(8, 6, 1), b = random_image(4, 6, 2);
    // 16x12 made of 2x2 constant blocks: resized to height 6 it is exactly the 8x6 block image.
    const auto small = random_image(8, 6, 3);
    RgbImage big = blank(16, 12);
    for (int y = 0; y < 12; ++y)
      for (int x = 0; x < 16; ++x)
        std::copy(pixel(small, x / 2, y / 2), pixel(small, x / 2, y / 2) + 3,
                  big.rgb.begin() + 3 * (y * 16 + x));
    const int gap = 3;
    const auto strip = story_strip({a, b, big}, gap, 200);
    QCOMPARE(strip.height, 6);
    QCOMPARE(strip.width, 8 + 4 + 8 + 2 * gap);
    QVERIFY(strip.valid());
    QVERIFY(holds(strip, a, 0, 0));
    QVERIFY(uniform(strip, 8, 0, gap, 6, 200));
    QVERIFY(holds(strip, b, 8 + gap, 0));
    QVERIFY(uniform(strip, 12 + gap, 0, gap, 6, 200));
    QVERIFY(holds(strip, small, 12 + 2 * gap, 0));

    const auto single = story_strip({a}, 10);
    QCOMPARE(single.width, 8);
    QVERIFY(single.rgb == a.rgb);
    QCOMPARE(story_strip({a, a}, 0).width, 16);

    QVERIFY(!bad_input_text([] { story_strip({}); }).empty());
    RgbImage broken = blank(4, 4);
    broken.rgb.pop_back();
    QVERIFY(bad_input_text([&] { story_strip({a, broken}); }).find("frames[1]") != std::string::npos);
    QVERIFY(bad_input_text([&] { story_strip({a}, -1); }).find("gap") != std::string::npos);
    QVERIFY(bad_input_text([&] { story_strip({a}, 2, 256); }).find("background") != std::string::npos);
  }

  void gridPlacesCellsAndLabels() {
    const int w = 40, h = 24, gap = 2;
    std::vector<std::vector<RgbImage>> rows = {
        {random_image(w, h, 10), random_image(w, h, 11), random_image(w, h, 12)},
        {random_image(w, h, 20), random_image(w, h, 21)}};
    // Without labels: exactly the cells and the gaps.
    const auto plain = labelled_grid(rows, {}, {}, gap);
    QCOMPARE(plain.width, 3 * w + 2 * gap);
    QCOMPARE(plain.height, 2 * h + gap);
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < static_cast<int>(rows[r].size()); ++c)
        QVERIFY(holds(plain, rows[r][c], c * (w + gap), r * (h + gap)));
    QVERIFY(uniform(plain, 2 * (w + gap), h + gap, w, h, 255));  // the short row's missing cell
    QVERIFY(uniform(plain, w, 0, gap, 2 * h + gap, 255));
    QVERIFY(uniform(plain, 0, h, 3 * w + 2 * gap, gap, 255));

    // With labels: margins on the left and top, drawn in black; the cells move by the margins.
    const auto labelled = labelled_grid(rows, {"off", "svr+ipca"}, {"frame 0", "frame 1", "frame 2"}, gap);
    const int left = labelled.width - plain.width, top = labelled.height - plain.height;
    QVERIFY(left > 0 && top > 0);
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < static_cast<int>(rows[r].size()); ++c)
        QVERIFY(holds(labelled, rows[r][c], left + c * (w + gap), top + r * (h + gap)));
    QVERIFY(darkest(labelled, 0, top, left, h) < 100);            // "off"
    QVERIFY(darkest(labelled, 0, top + h + gap, left, h) < 100);  // "svr+ipca"
    QVERIFY(darkest(labelled, left, 0, w, top) < 100);            // "frame 0"
    QVERIFY(uniform(labelled, 0, 0, left, top, 255));             // the corner stays white
    // A longer row label widens the margin.
    const auto wider = labelled_grid(rows, {"off", "svr + ipca, dropout 0.5"}, {}, gap);
    QVERIFY(wider.width > labelled.width);

    // Cells of other sizes are resized to the first frame's size.
    RgbImage twice = blank(2 * w, 2 * h);
    for (auto& v : twice.rgb) v = 77;
    const auto mixed = labelled_grid({{rows[0][0], twice}}, {}, {}, 0);
    QCOMPARE(mixed.width, 2 * w);
    QVERIFY(uniform(mixed, w, 0, w, h, 77));

    QVERIFY(bad_input_text([&] { labelled_grid(rows, {"one"}, {}); }).find("row_labels") !=
            std::string::npos);
    QVERIFY(bad_input_text([&] {
              labelled_grid(rows, {}, {"a", "b"});
            }).find("column_labels") != std::string::npos);
    QVERIFY(!bad_input_text([] { labelled_grid({}, {}, {}); }).empty());
  }

  void gifFewColoursRoundTripExactly() {
    const auto frames = frames_with_colours(3, 37, 23, 200, 5);
    const std::string bytes = encode_gif(frames, 250);
    const auto gif = decode_gif(bytes);
    QCOMPARE(gif.width, 37);
    QCOMPARE(gif.height, 23);
    QCOMPARE(gif.loop_count, 0);  // forever
    QCOMPARE(gif.frames.size(), std::size_t(3));
    QCOMPARE(gif.delays_cs, (std::vector<int>{25, 25, 25}));
    QCOMPARE(gif.palette.size(), std::size_t(256));
    for (int f = 0; f < 3; ++f) QVERIFY(gif.frames[f].rgb == frames[f].rgb);

    // Delays are rounded to centiseconds.
    QCOMPARE(decode_gif(encode_gif({frames[0]}, 333)).delays_cs, std::vector<int>{33});
    QCOMPARE(decode_gif(encode_gif({frames[0]}, 0)).delays_cs, std::vector<int>{0});
    // One colour, one pixel: the smallest cases.
    RgbImage dot = blank(1, 1);
    dot.rgb = {9, 8, 7};
    QVERIFY(decode_gif(encode_gif({dot})).frames[0].rgb == dot.rgb);
    RgbImage flat = blank(300, 200);
    for (auto& v : flat.rgb) v = 128;
    QVERIFY(decode_gif(encode_gif({flat, flat})).frames[1].rgb == flat.rgb);
  }

  void gifLzwTableResetsAndGrowsTo12Bits() {
    // 256 random colours in random order: the LZW table fills up (4096 codes) many times.
    const auto frames = frames_with_colours(2, 160, 120, 256, 9);
    const auto gif = decode_gif(encode_gif(frames, 100));
    QCOMPARE(gif.widest_code, 12);
    qInfo("LZW table resets seen: %d", gif.clear_codes);
    QVERIFY(gif.clear_codes >= 4);
    for (int f = 0; f < 2; ++f) QVERIFY(gif.frames[f].rgb == frames[f].rgb);
  }

  void gifManyColoursArePaletteMapped() {
    // A smooth gradient plus noise: thousands of colours quantised to 256.
    RgbImage img = blank(96, 64);
    std::mt19937 rng(3);
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        std::uint8_t* p = &img.rgb[3 * (y * img.width + x)];
        p[0] = static_cast<std::uint8_t>(x * 255 / (img.width - 1));
        p[1] = static_cast<std::uint8_t>(y * 255 / (img.height - 1));
        p[2] = static_cast<std::uint8_t>(rng() % 256);
      }
    const auto second = random_image(96, 64, 4);
    const auto gif = decode_gif(encode_gif({img, second}));
    QCOMPARE(gif.frames.size(), std::size_t(2));
    std::set<std::uint32_t> used;
    double error = 0;
    const RgbImage* inputs[] = {&img, &second};
    for (int f = 0; f < 2; ++f) {
      const auto& in = *inputs[f];
      for (int i = 0; i < in.width * in.height; ++i) {
        const std::uint8_t* src = &in.rgb[3 * i];
        const std::uint8_t* got = &gif.frames[f].rgb[3 * i];
        // Each pixel became its nearest palette colour.
        int best = 1 << 30;
        for (const auto& c : gif.palette) best = std::min(best, squared_distance(src, c));
        QCOMPARE(squared_distance(src, {got[0], got[1], got[2]}), best);
        error += std::sqrt(double(best));
        used.insert((got[0] << 16) | (got[1] << 8) | got[2]);
      }
    }
    error /= 2 * img.width * img.height;
    qInfo("median cut: %zu palette colours used, mean RGB error %.2f", used.size(), error);
    QVERIFY(used.size() > 200);
    QVERIFY(error < 40.0);  // uniform noise in 3 channels with 256 colours: ~ 255 / 6.3 per axis
  }

  void gifFileIsWrittenAtomically() {
    const auto dir = temp_dir("gif");
    const auto frames = frames_with_colours(2, 12, 9, 30, 1);
    const auto path = dir + "/story.gif";
    write_gif(path, frames, 400);
    QVERIFY(read_file(path) == encode_gif(frames, 400));
    QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), std::ptrdiff_t(1));
    QVERIFY(bad_input_text([&] { write_gif(dir + "/x.gif", {}, 100); }).find("frames") != std::string::npos);
    QVERIFY(bad_input_text([&] { encode_gif(frames, -1); }).find("delay_ms") != std::string::npos);
    fs::remove_all(dir);
  }

  void mp4ReadsBackWhenTheBuildCanWriteIt() {
    const auto dir = temp_dir("mp4");
    std::vector<RgbImage> frames;
    for (int f = 0; f < 3; ++f) {
      RgbImage img = blank(64, 48);
      for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 64; ++x) {
          std::uint8_t* p = &img.rgb[3 * (y * 64 + x)];
          p[0] = static_cast<std::uint8_t>(40 + 60 * f);
          p[1] = static_cast<std::uint8_t>(x * 3);
          p[2] = static_cast<std::uint8_t>(y * 4);
        }
      frames.push_back(std::move(img));
    }
    const auto path = dir + "/story.mp4";
    const bool written = write_mp4(path, frames, 4.0, 2);
    qInfo("this OpenCV build %s MP4 (mp4v)", written ? "writes" : "does NOT write");
    if (!written) {
      QVERIFY(!fs::exists(path));
      QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), std::ptrdiff_t(0));
      fs::remove_all(dir);
      return;
    }
    QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), std::ptrdiff_t(1));
    cv::VideoCapture cap(path);
    QVERIFY(cap.isOpened());
    int count = 0;
    cv::Mat frame;
    double worst = 0;
    while (cap.read(frame)) {
      QCOMPARE(frame.cols, 64);
      QCOMPARE(frame.rows, 48);
      // Lossy, but each decoded frame is close to the frame it holds (BGR from the reader).
      const auto& src = frames[count / 2];
      double sum = 0;
      for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 64; ++x)
          for (int c = 0; c < 3; ++c)
            sum += std::abs(int(frame.at<cv::Vec3b>(y, x)[2 - c]) - int(pixel(src, x, y)[c]));
      worst = std::max(worst, sum / (64 * 48 * 3));
      ++count;
    }
    qInfo("mp4: %d frames read back, worst mean abs error %.2f", count, worst);
    QCOMPARE(count, 6);  // 3 frames, each held twice
    QVERIFY(worst < 12.0);

    // Odd sizes are padded to even ones by repeating the last row/column.
    const auto odd = dir + "/odd.mp4";
    QVERIFY(write_mp4(odd, {random_image(31, 17, 2)}, 2.0));
    cv::VideoCapture odd_cap(odd);
    QVERIFY(odd_cap.read(frame));
    QCOMPARE(frame.cols, 32);
    QCOMPARE(frame.rows, 18);

    QVERIFY(bad_input_text([&] { write_mp4(dir + "/x.mp4", frames, 0.0); }).find("fps") != std::string::npos);
    QVERIFY(bad_input_text([&] { write_mp4(dir + "/x.mp4", frames, 2.0, 0); }).find("repeat") !=
            std::string::npos);
    fs::remove_all(dir);
  }
};

QTEST_APPLESS_MAIN(TestStoryExport)
#include "test_story_export.moc"
