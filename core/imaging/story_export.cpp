#include "core/imaging/story_export.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"

namespace storyscope {

namespace {

constexpr double kLabelFontScale = 0.5;
constexpr int kLabelThickness = 1;
constexpr int kLabelPadding = 6;

void check_frame(const RgbImage& image, const std::string& what, const std::string& where) {
  if (!image.valid())
    throw_bad_input(what, where,
                    "not a valid RGB image (" + std::to_string(image.width) + "x" +
                        std::to_string(image.height) + ", " + std::to_string(image.rgb.size()) + " bytes)");
}

// RGB bytes stay in RGB order inside the Mat: only the MP4 writer needs BGR.
cv::Mat to_mat(const RgbImage& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data())).clone();
}

RgbImage from_mat(const cv::Mat& mat) {
  RgbImage out;
  out.width = mat.cols;
  out.height = mat.rows;
  out.rgb.resize(out.expected_size());
  const cv::Mat continuous = mat.isContinuous() ? mat : mat.clone();
  std::copy(continuous.data, continuous.data + out.rgb.size(), out.rgb.begin());
  return out;
}

cv::Mat resized(const cv::Mat& mat, int width, int height) {
  if (mat.cols == width && mat.rows == height) return mat;
  cv::Mat out;
  const bool shrinking = width < mat.cols || height < mat.rows;
  cv::resize(mat, out, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

cv::Size text_size(const std::string& text) {
  int baseline = 0;
  cv::Size size =
      cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, kLabelFontScale, kLabelThickness, &baseline);
  size.height += baseline;
  return size;
}

// The label itself, or its longest prefix + "..." that fits in max_width.
std::string fitted(const std::string& text, int max_width) {
  if (text_size(text).width <= max_width) return text;
  std::string shortened = text;
  while (!shortened.empty()) {
    shortened.pop_back();
    if (text_size(shortened + "...").width <= max_width) return shortened + "...";
  }
  return {};
}

// Black Hershey text centred in `box` (left-aligned when it does not fit), clipped to the box
// so a label never spills over a cell.
void draw_label(cv::Mat& canvas, const std::string& text, const cv::Rect& box) {
  const std::string shown = fitted(text, std::max(1, box.width - 2 * kLabelPadding));
  if (shown.empty() || box.width <= 0 || box.height <= 0) return;
  int baseline = 0;
  const cv::Size size =
      cv::getTextSize(shown, cv::FONT_HERSHEY_SIMPLEX, kLabelFontScale, kLabelThickness, &baseline);
  cv::Mat area = canvas(box);
  const int x = std::max(kLabelPadding, (box.width - size.width) / 2);
  const int y = (box.height + size.height) / 2;
  cv::putText(area, shown, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, kLabelFontScale, cv::Scalar(0, 0, 0),
              kLabelThickness, cv::LINE_AA);
}

// ---- GIF -----------------------------------------------------------------------------------

using Palette = std::vector<std::array<std::uint8_t, 3>>;

std::uint32_t pack(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
}

// Every distinct colour when there are at most `limit` of them (exact palettes keep such
// images lossless), else an empty list.
std::vector<std::uint32_t> distinct_colours(const std::vector<cv::Mat>& frames, std::size_t limit) {
  std::vector<std::uint64_t> seen((1u << 24) / 64, 0);
  std::vector<std::uint32_t> colours;
  for (const auto& f : frames) {
    const std::uint8_t* p = f.data;
    const std::size_t n = f.total();
    for (std::size_t i = 0; i < n; ++i, p += 3) {
      const std::uint32_t c = pack(p);
      std::uint64_t& word = seen[c >> 6];
      const std::uint64_t bit = std::uint64_t(1) << (c & 63);
      if (word & bit) continue;
      word |= bit;
      colours.push_back(c);
      if (colours.size() > limit) return {};
    }
  }
  std::sort(colours.begin(), colours.end());
  return colours;
}

// Median cut (Heckbert): start with one box holding every sampled pixel; split the box with
// the widest channel range at that channel's median until there are `colours` boxes; each
// box's mean is a palette entry. Samples at most ~256k pixels over all frames.
Palette median_cut(const std::vector<cv::Mat>& frames, std::size_t colours) {
  std::size_t total = 0;
  for (const auto& f : frames) total += f.total();
  const std::size_t stride = std::max<std::size_t>(1, total / (1u << 18));
  std::vector<std::array<std::uint8_t, 3>> samples;
  samples.reserve(total / stride + 1);
  std::size_t index = 0;
  for (const auto& f : frames) {
    const std::uint8_t* p = f.data;
    for (std::size_t i = 0; i < f.total(); ++i, ++index, p += 3)
      if (index % stride == 0) samples.push_back({p[0], p[1], p[2]});
  }

  struct Box {
    std::size_t begin, end;  // range in `samples`
    int channel = 0, range = 0;
  };
  const auto measure = [&](Box& box) {
    std::array<int, 3> lo{255, 255, 255}, hi{0, 0, 0};
    for (std::size_t i = box.begin; i < box.end; ++i)
      for (int c = 0; c < 3; ++c) {
        lo[c] = std::min<int>(lo[c], samples[i][c]);
        hi[c] = std::max<int>(hi[c], samples[i][c]);
      }
    box.range = -1;
    for (int c = 0; c < 3; ++c)
      if (hi[c] - lo[c] > box.range) {
        box.range = hi[c] - lo[c];
        box.channel = c;
      }
  };
  std::vector<Box> boxes{{0, samples.size()}};
  measure(boxes[0]);
  while (boxes.size() < colours) {
    auto widest = std::max_element(boxes.begin(), boxes.end(),
                                   [](const Box& a, const Box& b) { return a.range < b.range; });
    if (widest->range <= 0) break;  // every box holds a single colour
    Box box = *widest;
    const int c = box.channel;
    const auto first = samples.begin() + box.begin, last = samples.begin() + box.end;
    std::sort(first, last, [c](const auto& a, const auto& b) { return a[c] < b[c]; });
    // Split at the median, moved so that equal values stay in one box and neither half is empty.
    std::size_t mid = box.begin + (box.end - box.begin) / 2;
    const std::uint8_t median = samples[mid][c];
    while (mid > box.begin && samples[mid - 1][c] == median) --mid;
    if (mid == box.begin)
      while (mid < box.end && samples[mid][c] == median) ++mid;
    Box low{box.begin, mid}, high{mid, box.end};
    measure(low);
    measure(high);
    *widest = low;
    boxes.push_back(high);
  }
  Palette palette;
  for (const auto& box : boxes) {
    std::array<double, 3> sum{0, 0, 0};
    for (std::size_t i = box.begin; i < box.end; ++i)
      for (int c = 0; c < 3; ++c) sum[c] += samples[i][c];
    const double n = std::max<double>(1, box.end - box.begin);
    palette.push_back({static_cast<std::uint8_t>(std::lround(sum[0] / n)),
                       static_cast<std::uint8_t>(std::lround(sum[1] / n)),
                       static_cast<std::uint8_t>(std::lround(sum[2] / n))});
  }
  return palette;
}

Palette build_palette(const std::vector<cv::Mat>& frames) {
  const auto exact = distinct_colours(frames, 256);
  if (!exact.empty()) {
    Palette palette;
    for (auto c : exact)
      palette.push_back({std::uint8_t(c >> 16), std::uint8_t((c >> 8) & 0xFF), std::uint8_t(c & 0xFF)});
    return palette;
  }
  return median_cut(frames, 256);
}

// Nearest palette entry (squared RGB distance, lowest index among ties) per pixel, memoised
// per colour in a direct 2^24 table. The search walks the palette sorted by red outwards from
// the pixel's red value and stops once the red distance alone exceeds the best match.
class PaletteMapper {
 public:
  explicit PaletteMapper(const Palette& palette)
      : palette_(palette), known_((1u << 24) / 64, 0), index_(std::size_t(1) << 24) {
    for (std::size_t i = 0; i < palette.size(); ++i) by_red_.push_back(static_cast<int>(i));
    std::stable_sort(by_red_.begin(), by_red_.end(),
                     [&](int a, int b) { return palette_[a][0] < palette_[b][0]; });
  }
  std::uint8_t operator()(const std::uint8_t* p) {
    const std::uint32_t key = pack(p);
    std::uint64_t& word = known_[key >> 6];
    const std::uint64_t bit = std::uint64_t(1) << (key & 63);
    if (!(word & bit)) {
      word |= bit;
      index_[key] = nearest(p);
    }
    return index_[key];
  }

 private:
  std::uint8_t nearest(const std::uint8_t* p) const {
    const auto start = std::lower_bound(by_red_.begin(), by_red_.end(), int(p[0]),
                                        [&](int i, int red) { return palette_[i][0] < red; });
    int best = 0, best_distance = 1 << 30;
    const auto consider = [&](int i) {
      const int dr = int(p[0]) - palette_[i][0], dg = int(p[1]) - palette_[i][1],
                db = int(p[2]) - palette_[i][2];
      const int d = dr * dr + dg * dg + db * db;
      if (d < best_distance || (d == best_distance && i < best)) {
        best_distance = d;
        best = i;
      }
      return dr * dr;
    };
    for (auto it = start; it != by_red_.end(); ++it)
      if (consider(*it) > best_distance) break;
    for (auto it = start; it != by_red_.begin();)
      if (consider(*--it) > best_distance) break;
    return static_cast<std::uint8_t>(best);
  }

  const Palette& palette_;
  std::vector<int> by_red_;
  std::vector<std::uint64_t> known_;
  std::vector<std::uint8_t> index_;
};

void put_u16(std::string& out, int value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>((value >> 8) & 0xFF));
}

// Variable-length LZW as GIF89a (appendix F) specifies, LSB-first, in <= 255-byte sub-blocks:
// 8-bit roots, clear = 256, end = 257, codes grow from 9 to 12 bits; when the table is full
// (4096 entries) a clear code resets it.
class LzwEncoder {
 public:
  explicit LzwEncoder(std::string& out) : out_(out) {}

  void encode(const std::vector<std::uint8_t>& indices) {
    out_.push_back(static_cast<char>(kRootBits));
    reset();
    emit(kClear);
    if (indices.empty()) {
      emit(kEnd);
      finish();
      return;
    }
    int prefix = indices[0];
    for (std::size_t i = 1; i < indices.size(); ++i) {
      const int byte = indices[i];
      const int found = lookup(prefix, byte);
      if (found >= 0) {
        prefix = found;
        continue;
      }
      emit(prefix);
      if (next_ < kMaxCodes) {
        insert(prefix, byte, next_++);
        // The decoder adds each entry one code later, so it widens its codes once the table
        // holds 2^bits + 1 entries on our side.
        if (next_ > (1 << bits_) && bits_ < kMaxBits) ++bits_;
      } else {
        emit(kClear);
        reset();
      }
      prefix = byte;
    }
    emit(prefix);
    emit(kEnd);
    finish();
  }

 private:
  static constexpr int kRootBits = 8, kClear = 256, kEnd = 257, kMaxBits = 12, kMaxCodes = 4096;
  static constexpr std::size_t kSlots = 1 << 13;  // open addressing, load <= 0.5

  void reset() {
    keys_.assign(kSlots, -1);
    values_.assign(kSlots, 0);
    next_ = kEnd + 1;
    bits_ = kRootBits + 1;
  }
  static std::size_t slot_of(std::int32_t key) {
    return (static_cast<std::uint32_t>(key) * 2654435761u) >> 19;
  }
  int lookup(int prefix, int byte) const {
    const std::int32_t key = (prefix << 8) | byte;
    for (std::size_t s = slot_of(key);; s = (s + 1) & (kSlots - 1)) {
      if (keys_[s] == key) return values_[s];
      if (keys_[s] < 0) return -1;
    }
  }
  void insert(int prefix, int byte, int code) {
    const std::int32_t key = (prefix << 8) | byte;
    std::size_t s = slot_of(key);
    while (keys_[s] >= 0) s = (s + 1) & (kSlots - 1);
    keys_[s] = key;
    values_[s] = static_cast<std::int16_t>(code);
  }
  void emit(int code) {
    accumulator_ |= static_cast<std::uint32_t>(code) << pending_bits_;
    pending_bits_ += bits_;
    while (pending_bits_ >= 8) {
      push_byte(static_cast<std::uint8_t>(accumulator_ & 0xFF));
      accumulator_ >>= 8;
      pending_bits_ -= 8;
    }
  }
  void push_byte(std::uint8_t b) {
    block_.push_back(static_cast<char>(b));
    if (block_.size() == 255) flush_block();
  }
  void flush_block() {
    if (block_.empty()) return;
    out_.push_back(static_cast<char>(block_.size()));
    out_ += block_;
    block_.clear();
  }
  void finish() {
    if (pending_bits_ > 0) push_byte(static_cast<std::uint8_t>(accumulator_ & 0xFF));
    accumulator_ = 0;
    pending_bits_ = 0;
    flush_block();
    out_.push_back('\0');  // block terminator
  }

  std::string& out_;
  std::string block_;
  std::vector<std::int32_t> keys_;
  std::vector<std::int16_t> values_;
  int next_ = 0, bits_ = 0;
  std::uint32_t accumulator_ = 0;
  int pending_bits_ = 0;
};

// Frames as RGB Mats, all resized to the first frame's size (GIF/MP4 have one size).
std::vector<cv::Mat> same_size_frames(const std::vector<RgbImage>& frames, const std::string& what) {
  if (frames.empty()) throw_bad_input(what, "frames", "needs at least one frame");
  std::vector<cv::Mat> mats;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    check_frame(frames[i], what, "frames[" + std::to_string(i) + "]");
    mats.push_back(resized(to_mat(frames[i]), frames[0].width, frames[0].height));
  }
  return mats;
}

}  // namespace

RgbImage story_strip(const std::vector<RgbImage>& frames, int gap, int background) {
  constexpr const char* kWhat = "story strip";
  if (frames.empty()) throw_bad_input(kWhat, "frames", "needs at least one frame");
  if (gap < 0) throw_bad_input(kWhat, "gap", "must be >= 0");
  if (background < 0 || background > 255) throw_bad_input(kWhat, "background", "must be a gray level 0..255");
  for (std::size_t i = 0; i < frames.size(); ++i)
    check_frame(frames[i], kWhat, "frames[" + std::to_string(i) + "]");
  const int height = frames[0].height;
  std::vector<cv::Mat> scaled;
  int width = gap * static_cast<int>(frames.size() - 1);
  for (const auto& f : frames) {
    // Same height, aspect ratio kept.
    const int w = std::max(1, static_cast<int>(std::lround(double(f.width) * height / f.height)));
    scaled.push_back(resized(to_mat(f), w, height));
    width += w;
  }
  cv::Mat strip(height, width, CV_8UC3, cv::Scalar::all(background));
  int x = 0;
  for (const auto& m : scaled) {
    m.copyTo(strip(cv::Rect(x, 0, m.cols, m.rows)));
    x += m.cols + gap;
  }
  return from_mat(strip);
}

RgbImage labelled_grid(const std::vector<std::vector<RgbImage>>& rows,
                       const std::vector<std::string>& row_labels,
                       const std::vector<std::string>& column_labels, int gap) {
  constexpr const char* kWhat = "labelled grid";
  if (gap < 0) throw_bad_input(kWhat, "gap", "must be >= 0");
  std::size_t columns = 0;
  const RgbImage* first = nullptr;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    columns = std::max(columns, rows[r].size());
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      check_frame(rows[r][c], kWhat, "rows[" + std::to_string(r) + "][" + std::to_string(c) + "]");
      if (!first) first = &rows[r][c];
    }
  }
  if (!first) throw_bad_input(kWhat, "rows", "needs at least one frame");
  if (!row_labels.empty() && row_labels.size() != rows.size())
    throw_bad_input(
        kWhat, "row_labels",
        std::to_string(row_labels.size()) + " labels for " + std::to_string(rows.size()) + " rows");
  if (!column_labels.empty() && column_labels.size() != columns)
    throw_bad_input(
        kWhat, "column_labels",
        std::to_string(column_labels.size()) + " labels for " + std::to_string(columns) + " columns");

  // Every cell takes the first frame's size; label margins fit the text (row labels up to
  // twice a cell's width, then shortened with "...").
  const int cell_w = first->width, cell_h = first->height;
  int left = 0, top = 0;
  for (const auto& label : row_labels)
    left = std::max(left, std::min(text_size(label).width, 2 * cell_w) + 2 * kLabelPadding);
  for (const auto& label : column_labels) top = std::max(top, text_size(label).height + 2 * kLabelPadding);
  const int n_rows = static_cast<int>(rows.size()), n_cols = static_cast<int>(columns);
  const int width = left + n_cols * cell_w + (n_cols - 1) * gap;
  const int height = top + n_rows * cell_h + (n_rows - 1) * gap;
  cv::Mat grid(height, width, CV_8UC3, cv::Scalar::all(255));
  for (int r = 0; r < n_rows; ++r) {
    const int y = top + r * (cell_h + gap);
    for (int c = 0; c < static_cast<int>(rows[r].size()); ++c)
      resized(to_mat(rows[r][c]), cell_w, cell_h)
          .copyTo(grid(cv::Rect(left + c * (cell_w + gap), y, cell_w, cell_h)));
    if (!row_labels.empty()) draw_label(grid, row_labels[r], cv::Rect(0, y, left, cell_h));
  }
  for (int c = 0; c < static_cast<int>(column_labels.size()); ++c)
    draw_label(grid, column_labels[c], cv::Rect(left + c * (cell_w + gap), 0, cell_w, top));
  return from_mat(grid);
}

std::string encode_gif(const std::vector<RgbImage>& frames, int delay_ms) {
  constexpr const char* kWhat = "GIF";
  if (delay_ms < 0) throw_bad_input(kWhat, "delay_ms", "must be >= 0");
  const std::vector<cv::Mat> mats = same_size_frames(frames, kWhat);
  const int width = mats[0].cols, height = mats[0].rows;
  if (width > 65535 || height > 65535)
    throw_bad_input(kWhat, "frames", "GIF frames are at most 65535 pixels wide");
  const int delay_cs = std::min(65535, static_cast<int>(std::lround(delay_ms / 10.0)));

  Palette palette = build_palette(mats);
  std::string out = "GIF89a";
  // Logical screen: global colour table of 256 entries (8 bits of colour resolution).
  put_u16(out, width);
  put_u16(out, height);
  out.push_back(static_cast<char>(0xF7));
  out.push_back('\0');  // background colour index
  out.push_back('\0');  // pixel aspect ratio: none given
  for (std::size_t i = 0; i < 256; ++i)
    for (int c = 0; c < 3; ++c) out.push_back(static_cast<char>(i < palette.size() ? palette[i][c] : 0));
  // NETSCAPE2.0 application extension: loop forever (count 0).
  out += std::string("\x21\xFF\x0B", 3) + "NETSCAPE2.0" + std::string("\x03\x01\x00\x00\x00", 5);

  PaletteMapper map(palette);
  std::vector<std::uint8_t> indices(static_cast<std::size_t>(width) * height);
  for (const auto& m : mats) {
    // Graphic control extension: disposal 1 (leave in place), no transparency, the delay.
    out += std::string("\x21\xF9\x04\x04", 4);
    put_u16(out, delay_cs);
    out += std::string("\x00\x00", 2);
    // Image descriptor: the whole screen, no local colour table, not interlaced.
    out.push_back(0x2C);
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, width);
    put_u16(out, height);
    out.push_back('\0');
    const std::uint8_t* p = m.data;
    for (auto& index : indices) {
      index = map(p);
      p += 3;
    }
    LzwEncoder(out).encode(indices);
  }
  out.push_back(0x3B);  // trailer
  return out;
}

void write_gif(const std::string& path, const std::vector<RgbImage>& frames, int delay_ms) {
  write_file_atomically(path, encode_gif(frames, delay_ms));
}

bool write_mp4(const std::string& path, const std::vector<RgbImage>& frames, double fps, int repeat) {
  if (!(fps > 0.0) || !std::isfinite(fps)) throw_bad_input(path, "fps", "must be positive");
  if (repeat < 1) throw_bad_input(path, "repeat", "must be >= 1");
  std::vector<cv::Mat> mats = same_size_frames(frames, path);
  // MPEG-4 part 2 wants even sizes: pad the last row/column by repetition instead of scaling.
  const int pad_right = mats[0].cols % 2, pad_bottom = mats[0].rows % 2;
  for (auto& m : mats) {
    if (pad_right || pad_bottom) cv::copyMakeBorder(m, m, 0, pad_bottom, 0, pad_right, cv::BORDER_REPLICATE);
    cv::cvtColor(m, m, cv::COLOR_RGB2BGR);
  }

  // Written under a temporary name in the same folder (same file system), then renamed over
  // the target: a crash never leaves a half-written video under the final name. The temporary
  // keeps the .mp4 extension, which is how the writer picks the container.
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path temp =
      target.parent_path() / ("." + target.stem().string() + ".tmp" + std::to_string(::getpid()) + "-" +
                              std::to_string(reinterpret_cast<std::uintptr_t>(&mats)) + ".mp4");
  std::error_code ec;
  cv::VideoWriter writer;
  try {
    writer.open(temp.string(), cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps, mats[0].size(), true);
  } catch (const cv::Exception&) {
    // Some builds throw instead of failing to open: the same "no encoder" answer.
  }
  if (!writer.isOpened()) {
    fs::remove(temp, ec);
    return false;
  }
  for (const auto& m : mats)
    for (int i = 0; i < repeat; ++i) writer.write(m);
  writer.release();
  if (!fs::exists(temp, ec) || fs::file_size(temp, ec) == 0) {
    fs::remove(temp, ec);
    throw_bad_input(path, "mp4", "the video writer produced no file");
  }
  fs::rename(temp, target, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove(temp, ec);
    throw_bad_input(path, "mp4", "cannot move the finished video into place: " + reason);
  }
  return true;
}

}  // namespace storyscope
