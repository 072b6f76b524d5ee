// core/imaging: tensor <-> 8-bit image with diffusers' rounding, PNG pixels and text chunks,
// the A1111 `parameters` format, masks, and corrupt PNGs failing cleanly.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <cmath>
#include <opencv2/imgcodecs.hpp>  // only to make mask test files of every PNG colour type
#include <random>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/imaging/image_tensor.h"
#include "core/imaging/png_metadata.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;

namespace {

RgbImage random_image(int w, int h, std::uint32_t seed) {
  std::mt19937 rng(seed);
  RgbImage img;
  img.width = w;
  img.height = h;
  img.rgb.resize(img.expected_size());
  for (auto& b : img.rgb) b = static_cast<std::uint8_t>(rng() & 0xFF);
  return img;
}

// A float x with float32(x * 255) == target exactly (target = k + 0.5), found near target/255.
float float_with_product(float target) {
  float x = target / 255.0f;
  for (int i = 0; i < 64; ++i) {
    const float p = x * 255.0f;
    if (p == target) return x;
    x = std::nextafter(x, p < target ? 2.0f : -2.0f);
  }
  return std::nanf("");
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
  return {};
}

#define EXPECT_ERROR(expr, needle)                                                               \
  do {                                                                                           \
    const QString msg = error_of([&] { (void)(expr); });                                         \
    QVERIFY2(!msg.isEmpty(), "no Error thrown by " #expr);                                       \
    QVERIFY2(!msg.startsWith("NOT AN Error"), qPrintable(msg));                                  \
    QVERIFY2(msg.contains(QString::fromUtf8(needle)), qPrintable(msg + " | wanted: " + needle)); \
  } while (0)

std::string chunk_bytes(const std::string& type, const std::string& data) {
  std::string out;
  const auto n = static_cast<std::uint32_t>(data.size());
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((n >> s) & 0xFF);
  out += type + data;
  const std::uint32_t crc = png_crc32(data, png_crc32(type));
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((crc >> s) & 0xFF);
  return out;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

class TestImaging : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const char* name) const { return (dir_.path() + "/" + name).toStdString(); }

 private slots:
  void initTestCase() {
    at::set_num_threads(2);
    QVERIFY(dir_.isValid());
  }

  // numpy's (x * 255).round() is half-to-even in float32; so must ours be.
  void roundingIsHalfToEven() {
    const std::vector<std::pair<float, int>> halves = {{0.5f, 0},     {1.5f, 2},     {2.5f, 2},    {3.5f, 4},
                                                       {126.5f, 126}, {127.5f, 128}, {254.5f, 254}};
    std::vector<float> xs;
    for (const auto& h : halves) {
      const float x = float_with_product(h.first);
      QVERIFY2(!std::isnan(x), qPrintable(QString("no float gives %1").arg(h.first)));
      xs.push_back(x);
    }
    const auto n = static_cast<std::int64_t>(xs.size());
    const at::Tensor t = at::from_blob(xs.data(), {1, 1, n}, at::kFloat).expand({3, 1, n}).contiguous();
    const RgbImage img = image_from_tensor(t, ValueRange::ZeroToOne);
    QCOMPARE(img.width, int(n));
    QCOMPARE(img.height, 1);
    for (std::size_t i = 0; i < halves.size(); ++i)
      for (int c = 0; c < 3; ++c) QCOMPARE(int(img.rgb[i * 3 + c]), halves[i].second);

    // [-1, 1]: x/2 + 0.5 first (0 -> 127.5 -> 128), clamped, NaN -> 0.
    const at::Tensor v =
        at::tensor({-1.0f, 0.0f, 1.0f, 2.0f, -3.0f, -0.5f, NAN, INFINITY}).reshape({1, 1, 1, 8});
    const RgbImage m = image_from_tensor(v.expand({1, 3, 1, 8}), ValueRange::MinusOneToOne);
    const int expected[] = {0, 128, 255, 255, 0, 64, 0, 255};
    for (int i = 0; i < 8; ++i) QCOMPARE(int(m.rgb[i * 3]), expected[i]);
  }

  // The e2e fixture's `image` (diffusers output_type="np", [1,32,32,3] in [0,1]) to uint8 must be
  // exactly numpy's round(x * 255) in float32.
  void fixtureImageMatchesNumpyRounding() {
    const auto tensors = load_safetensors(testing::fixture("e2e/tiny_sd15_pipeline.ddim_cfg7.5.safetensors"));
    const at::Tensor nhwc = tensors.at("image");
    QCOMPARE(nhwc.sizes().vec(), (std::vector<std::int64_t>{1, 32, 32, 3}));
    const at::Tensor nchw = nhwc.permute({0, 3, 1, 2});
    const RgbImage img = image_from_tensor(nchw, ValueRange::ZeroToOne);
    QCOMPARE(img.width, 32);
    QCOMPARE(img.height, 32);
    const at::Tensor flat = nhwc.contiguous().flatten();
    const float* x = flat.data_ptr<float>();
    int worst = 0;
    for (std::size_t i = 0; i < img.rgb.size(); ++i) {
      const int expected = static_cast<int>(std::nearbyint(x[i] * 255.0f));  // FE_TONEAREST: half to even
      worst = std::max(worst, std::abs(expected - int(img.rgb[i])));
    }
    qInfo("fixture image -> uint8: max abs diff %d (tolerance 0)", worst);
    QCOMPARE(worst, 0);

    // The same pixels from [3,H,W], from float64 and from the [-1,1] form the VAE decodes to.
    QVERIFY(image_from_tensor(nchw[0].to(at::kDouble), ValueRange::ZeroToOne).rgb == img.rgb);
    const RgbImage from_vae = image_from_tensor(nchw * 2 - 1, ValueRange::MinusOneToOne);
    int off = 0;
    for (std::size_t i = 0; i < img.rgb.size(); ++i)
      off = std::max(off, std::abs(int(from_vae.rgb[i]) - int(img.rgb[i])));
    qInfo("via [-1,1]: max abs diff %d (tolerance 1: x*2-1 then /2+0.5 is not exact in float32)", off);
    QVERIFY(off <= 1);
  }

  void tensorImageRoundTrip() {
    const RgbImage img = random_image(7, 5, 1);
    for (ValueRange r : {ValueRange::ZeroToOne, ValueRange::MinusOneToOne}) {
      const at::Tensor t = tensor_from_image(img, r);
      QCOMPARE(t.sizes().vec(), (std::vector<std::int64_t>{1, 3, 5, 7}));
      QCOMPARE(t.scalar_type(), at::kFloat);
      QVERIFY(image_from_tensor(t, r).rgb == img.rgb);
    }
    // Channel order and scale: pixel (x=2, y=1) of a [1,3,H,W] tensor.
    const at::Tensor t = tensor_from_image(img, ValueRange::MinusOneToOne);
    const std::size_t at = (1 * 7 + 2) * 3;
    for (int c = 0; c < 3; ++c)
      QCOMPARE(t[0][c][1][2].item<float>(), float(img.rgb[at + c]) / 255.0f * 2.0f - 1.0f);
  }

  void badTensorsAndImagesThrow() {
    EXPECT_ERROR(image_from_tensor(at::zeros({2, 3, 4, 4}), ValueRange::ZeroToOne), "exactly one image");
    EXPECT_ERROR(image_from_tensor(at::zeros({4, 4, 4}), ValueRange::ZeroToOne), "[3,H,W]");
    EXPECT_ERROR(image_from_tensor(at::zeros({3, 4, 4}, at::kInt), ValueRange::ZeroToOne), "floating");
    EXPECT_ERROR(image_from_tensor(at::Tensor(), ValueRange::ZeroToOne), "undefined");
    EXPECT_ERROR(image_from_tensor(at::zeros({3, 0, 4}), ValueRange::ZeroToOne), "height and width");
    RgbImage bad{4, 4, std::vector<std::uint8_t>(10)};
    EXPECT_ERROR(tensor_from_image(bad, ValueRange::ZeroToOne), "width*height*3");
    EXPECT_ERROR(write_png(path("bad.png"), bad), "bad.png");
  }

  void pngPixelsRoundTrip() {
    const RgbImage img = random_image(13, 9, 2);
    write_png(path("pixels.png"), img);
    const RgbImage back = read_png(path("pixels.png"));
    QCOMPARE(back.width, 13);
    QCOMPARE(back.height, 9);
    QVERIFY(back.rgb == img.rgb);
    // No temporary left next to it.
    QCOMPARE(QDir(dir_.path()).entryList({"pixels.png*"}, QDir::Files).size(), 1);
  }

  void textChunksRoundTrip() {
    const std::map<std::string, std::string> text = {
        {"ascii", "a red fox, in the snow: detailed\nsecond line"},
        {"latin1", "caf\xC3\xA9 cr\xC3\xA8me"},
        {"chinese", "\xE4\xB8\x80\xE5\x8F\xAA\xE7\xBA\xA2\xE7\x8B\x90\xE7\x8B\xB8"},
        {"emoji", "fox \xF0\x9F\xA6\x8A in snow \xE2\x9D\x84\xEF\xB8\x8F"},
        {"empty", ""},
    };
    write_png(path("text.png"), random_image(4, 3, 3), text);
    std::vector<std::string> notes;
    QVERIFY(read_png_text_chunks(path("text.png"), &notes) == text);
    QVERIFY(notes.empty());
    // PIL's (and so A1111's) choice: Latin-1 text as tEXt (Latin-1 bytes), the rest as iTXt.
    const std::string raw = read_file(path("text.png"));
    QVERIFY(contains(raw, std::string("tEXtlatin1\0caf\xE9", 15)));
    QVERIFY(contains(raw, "iTXtchinese"));
    QVERIFY(contains(raw, "iTXtemoji"));
    QVERIFY(contains(raw, "tEXtascii"));
    // Pixels are unaffected by the chunks.
    QVERIFY(read_png(path("text.png")).rgb == random_image(4, 3, 3).rgb);

    EXPECT_ERROR(write_png(path("k.png"), random_image(2, 2, 0), {{"", "x"}}), "1-79");
    EXPECT_ERROR(write_png(path("k.png"), random_image(2, 2, 0), {{" lead", "x"}}), "space");
    EXPECT_ERROR(write_png(path("k.png"), random_image(2, 2, 0), {{"k", "bad \xFF utf8"}}), "UTF-8");
    EXPECT_ERROR(write_png(path("k.png"), random_image(2, 2, 0), {{"k", std::string("nul\0x", 5)}}), "NUL");
    QVERIFY(!QFile::exists(QString::fromStdString(path("k.png"))));
  }

  void a1111FormatIsExact() {
    GenerationParameters p;
    p.prompt = "a red fox";
    p.negative_prompt = "blurry";
    p.steps = 30;
    p.sampler = "Euler";
    p.cfg_scale = 7.5;
    p.seed = 42;
    p.width = p.height = 512;
    p.model = "tiny";
    QCOMPARE(
        QString::fromStdString(format_a1111_parameters(p)),
        QString("a red fox\nNegative prompt: blurry\nSteps: 30, Sampler: Euler, CFG scale: 7.5, Seed: 42, "
                "Size: 512x512, Model: tiny"));
    p.negative_prompt.clear();
    p.cfg_scale = 7.0;
    p.sampler = "DPM++ 2M";
    p.width = 768;
    p.extra = {{"Model hash", "93b79e09ed"}, {"Lora hashes", "fox: abc, snow: def"}, {"Clip skip", "2"}};
    QCOMPARE(
        QString::fromStdString(format_a1111_parameters(p)),
        QString(
            "a red fox\nSteps: 30, Sampler: DPM++ 2M, CFG scale: 7, Seed: 42, Size: 768x512, Model: tiny, "
            "Clip skip: 2, Lora hashes: \"fox: abc, snow: def\", Model hash: 93b79e09ed"));
    p.extra = {{"bad:key", "x"}};
    EXPECT_ERROR(format_a1111_parameters(p), "key must start");
    p.extra = {{"Seed", "1"}};
    EXPECT_ERROR(format_a1111_parameters(p), "fixed field");
  }

  void a1111ParseRoundTrip() {
    GenerationParameters p;
    p.prompt =
        "masterpiece, (red fox:1.2), snow\nline two: with colon, and comma\n\xE4\xB8\x80\xE5\x8F\xAA "
        "\xF0\x9F\xA6\x8A";
    p.negative_prompt = "blurry, lowres\n(bad hands:1.4)";
    p.steps = 25;
    p.sampler = "DPM++ 2M Karras";
    p.cfg_scale = 6.25;
    p.seed = 18446744073709551615ull;
    p.width = 640;
    p.height = 384;
    p.model = "v1-5: pruned, emaonly";
    p.extra = {{"Clip skip", "2"},
               {"Note", "has \"quotes\", commas\nand a newline"},
               {"Empty", ""},
               {"Spaced", "  leading"},
               {"Quoted", "\"already\""},
               {"Hires resize", "1024x768"},
               {"Emoji key \xF0\x9F\xA6\x8A", "\xE2\x9D\x84"}};
    const std::string text = format_a1111_parameters(p);
    const GenerationParameters q = parse_a1111_parameters(text);
    QCOMPARE(QString::fromStdString(q.prompt), QString::fromStdString(p.prompt));
    QCOMPARE(QString::fromStdString(q.negative_prompt), QString::fromStdString(p.negative_prompt));
    QCOMPARE(q.steps, p.steps);
    QCOMPARE(QString::fromStdString(q.sampler), QString::fromStdString(p.sampler));
    QCOMPARE(q.cfg_scale, p.cfg_scale);
    QCOMPARE(q.seed, p.seed);
    QCOMPARE(q.width, p.width);
    QCOMPARE(q.height, p.height);
    QCOMPARE(QString::fromStdString(q.model), QString::fromStdString(p.model));
    QCOMPARE(q.extra.size(), p.extra.size());
    for (const auto& [k, v] : p.extra) {
      QVERIFY2(q.extra.count(k), k.c_str());
      QCOMPARE(QString::fromStdString(q.extra.at(k)), QString::fromStdString(v));
    }

    // Text as A1111 writes it: quoted values, unknown keys, no negative prompt.
    const auto a = parse_a1111_parameters(
        "girl with an artist's beret, determined, blue eyes\n"
        "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 965400086, Size: 512x768, Model hash: 45dee52b, "
        "Lora hashes: \"add_detail: 7c6bad76eb54, more: 1\", Version: v1.6.0");
    QCOMPARE(QString::fromStdString(a.prompt), QString("girl with an artist's beret, determined, blue eyes"));
    QVERIFY(a.negative_prompt.empty());
    QCOMPARE(a.steps, 20);
    QCOMPARE(QString::fromStdString(a.sampler), QString("Euler a"));
    QCOMPARE(a.cfg_scale, 7.0);
    QCOMPARE(a.seed, std::uint64_t(965400086));
    QCOMPARE(a.width, 512);
    QCOMPARE(a.height, 768);
    QCOMPARE(QString::fromStdString(a.extra.at("Lora hashes")), QString("add_detail: 7c6bad76eb54, more: 1"));
    QCOMPARE(QString::fromStdString(a.extra.at("Version")), QString("v1.6.0"));
    QCOMPARE(a.extra.size(), std::size_t(3));

    // A last line with fewer than 3 items belongs to the prompt (A1111's rule).
    const auto b = parse_a1111_parameters("a fox\nstyle: oil, mood: calm");
    QCOMPARE(QString::fromStdString(b.prompt), QString("a fox\nstyle: oil, mood: calm"));
    QCOMPARE(b.steps, 0);
    // Unparsable values of known fields go to extra; nothing throws on junk.
    const auto c = parse_a1111_parameters("p\nSteps: many, CFG scale: high, Seed: -1, Size: big");
    QCOMPARE(QString::fromStdString(c.extra.at("Steps")), QString("many"));
    QCOMPARE(QString::fromStdString(c.extra.at("Seed")), QString("-1"));
    QCOMPARE(QString::fromStdString(c.extra.at("Size")), QString("big"));
    std::mt19937 rng(7);
    const std::string alphabet = "ab :,\"\\\n x1";
    for (int i = 0; i < 2000; ++i) {
      std::string junk;
      for (int n = rng() % 60; n > 0; --n) junk += alphabet[rng() % alphabet.size()];
      (void)parse_a1111_parameters(junk);
    }
  }

  void generationPngRoundTrip() {
    GenerationParameters p;
    p.prompt = "\xE4\xB8\x80\xE5\x8F\xAA\xE7\xBA\xA2\xE7\x8B\x90\xE7\x8B\xB8, snow: deep";
    p.steps = 3;
    p.sampler = "DDIM";
    p.cfg_scale = 7.5;
    p.seed = 42;
    p.width = p.height = 32;
    p.model = "tiny_sd15";
    const nlohmann::json settings = {{"prompt", p.prompt},
                                     {"steps", 3},
                                     {"guidance_scale", 7.5},
                                     {"scheduler", {{"name", "ddim"}, {"eta", 0.0}}}};
    write_generation_png(path("gen.png"), random_image(8, 8, 4), p, settings);
    const PngGenerationInfo info = read_generation_png(path("gen.png"));
    QVERIFY(info.parameters_text.has_value());
    QCOMPARE(QString::fromStdString(*info.parameters_text),
             QString::fromStdString(format_a1111_parameters(p)));
    QCOMPARE(QString::fromStdString(info.parameters->prompt), QString::fromStdString(p.prompt));
    QCOMPARE(info.parameters->seed, std::uint64_t(42));
    QVERIFY(info.settings == settings);
    const std::string raw = read_file(path("gen.png"));
    QVERIFY(contains(raw, "iTXtparameters"));  // non-Latin-1 prompt
    QVERIFY(contains(raw, "iTXtstoryscope"));
  }

  void compressedChunksAreSkippedWithANote() {
    std::string png = encode_png(random_image(2, 2, 5), {{"plain", "v"}});
    const std::string ztxt = chunk_bytes("zTXt", std::string("zkey\0\0\x78\x9c", 8));
    const std::string itxt = chunk_bytes("iTXt", std::string("ikey\0\x01\0\0\0\x78\x9c", 11));
    png.insert(png.size() - 12, ztxt + itxt);
    std::vector<std::string> notes;
    const auto text = png_text_chunks_from_bytes(png, "mem.png", &notes);
    QCOMPARE(text.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(text.at("plain")), QString("v"));
    QCOMPARE(notes.size(), std::size_t(2));
    QVERIFY2(contains(notes[0], "mem.png") && contains(notes[0], "zTXt") && contains(notes[0], "zkey") &&
                 contains(notes[0], "compressed chunk not supported"),
             notes[0].c_str());
    QVERIFY(contains(notes[1], "iTXt") && contains(notes[1], "ikey"));
  }

  void corruptPngsThrowWithoutCrashing() {
    const std::string good =
        encode_png(random_image(6, 6, 6), {{"parameters", "p\nSteps: 1, Seed: 2, Size: 6x6"}});
    QCOMPARE(png_text_chunks_from_bytes(good, "good.png").size(), std::size_t(1));

    EXPECT_ERROR(png_text_chunks_from_bytes("", "empty.png"), "empty.png: signature: file is empty");
    EXPECT_ERROR(png_text_chunks_from_bytes("GIF89a not a png at all", "gif.png"), "not a PNG");
    for (std::size_t n = 1; n < good.size(); ++n)
      EXPECT_ERROR(png_text_chunks_from_bytes(std::string_view(good).substr(0, n), "cut.png"), "cut.png");
    EXPECT_ERROR(png_text_chunks_from_bytes(good.substr(0, good.size() - 12), "noend.png"), "no IEND");
    EXPECT_ERROR(png_text_chunks_from_bytes(good.substr(0, 18), "short.png"),
                 "short.png: chunk 0 at byte 8: truncated chunk header");

    // A flipped byte inside IHDR's data: CRC mismatch, naming chunk 0.
    std::string bad_crc = good;
    bad_crc[8 + 8 + 2] ^= 0x01;
    EXPECT_ERROR(png_text_chunks_from_bytes(bad_crc, "crc.png"),
                 "crc.png: chunk 0 (IHDR) at byte 8: bad CRC");

    // Length field 0xFFFFFFFF in the text chunk (chunk 1 or later): rejected before any use.
    const std::size_t text_at = good.find("tEXt") - 4;
    std::string huge = good;
    huge.replace(text_at, 4, "\xFF\xFF\xFF\xFF");
    EXPECT_ERROR(png_text_chunks_from_bytes(huge, "huge.png"), "exceeds the PNG limit");
    huge.replace(text_at, 4, std::string("\x7F\xFF\xFF\xFF", 4));
    EXPECT_ERROR(png_text_chunks_from_bytes(huge, "huge.png"), "runs past the end");

    // The same through files, and for the pixel and mask readers.
    write_file_atomically(path("empty.png"), std::string());
    write_file_atomically(path("trunc.png"), good.substr(0, good.size() / 2));
    write_file_atomically(path("crc.png"), bad_crc);
    write_file_atomically(path("notpng.png"), std::string("hello, world"));
    for (const char* name : {"empty.png", "trunc.png", "crc.png", "notpng.png", "missing.png"}) {
      EXPECT_ERROR(read_png_text_chunks(path(name)), name);
      EXPECT_ERROR(read_png(path(name)), name);
      EXPECT_ERROR(read_mask_png(path(name)), name);
      EXPECT_ERROR(read_generation_png(path(name)), name);
    }

    // Random damage: either parses or throws Error, never anything else.
    std::mt19937 rng(11);
    int errors = 0;
    for (int i = 0; i < 3000; ++i) {
      std::string m = good;
      for (int k = 1 + rng() % 4; k > 0; --k) m[rng() % m.size()] = static_cast<char>(rng() & 0xFF);
      if (rng() % 4 == 0) m.resize(rng() % m.size());
      try {
        (void)png_text_chunks_from_bytes(m, "fuzz.png");
      } catch (const Error&) {
        ++errors;
      }
      if (i % 20 == 0) {  // and through OpenCV's decoder
        write_file_atomically(path("fuzz.png"), m);
        try {
          (void)read_png(path("fuzz.png"));
          (void)read_mask_png(path("fuzz.png"));
        } catch (const Error&) {
        }
      }
    }
    qInfo("fuzzed: %d of 3000 rejected", errors);
    QVERIFY(errors > 0);

    // Damage inside text chunks with the CRC fixed up, so the text parsers see it.
    const std::string clean = encode_png(random_image(2, 2, 8), {});
    int parsed = 0;
    for (int i = 0; i < 3000; ++i) {
      std::string data = (i % 2 ? std::string("key\0\0\0en\0k\0text", 16) : std::string("key\0text", 8));
      for (int k = 1 + rng() % 3; k > 0; --k)
        data[rng() % data.size()] = static_cast<char>(rng() % 3 ? 0 : rng() & 0xFF);
      data.resize(rng() % (data.size() + 1));
      std::string m = clean;
      m.insert(m.size() - 12, chunk_bytes(i % 2 ? "iTXt" : "tEXt", data));
      try {
        (void)png_text_chunks_from_bytes(m, "fuzz.png");
        ++parsed;
      } catch (const Error& e) {
        QVERIFY2(contains(e.what(), "fuzz.png: chunk 2 ("), e.what());
      }
    }
    qInfo("fuzzed text chunks: %d of 3000 parsed, the rest rejected naming chunk 2", parsed);
  }

  void masks() {
    // 8-bit gray: value / 255.
    cv::Mat gray(2, 3, CV_8UC1);
    const std::uint8_t g[] = {0, 128, 255, 10, 20, 30};
    std::memcpy(gray.data, g, 6);
    QVERIFY(cv::imwrite(path("gray.png"), gray));
    at::Tensor m = read_mask_png(path("gray.png"));
    QCOMPARE(m.sizes().vec(), (std::vector<std::int64_t>{2, 3}));
    QCOMPARE(m.scalar_type(), at::kFloat);
    for (int i = 0; i < 6; ++i) QCOMPARE(m.flatten()[i].item<float>(), g[i] / 255.0f);

    // 16-bit gray: value / 65535.
    cv::Mat gray16(1, 2, CV_16UC1);
    gray16.at<std::uint16_t>(0, 0) = 65535;
    gray16.at<std::uint16_t>(0, 1) = 257 * 100;
    QVERIFY(cv::imwrite(path("gray16.png"), gray16));
    m = read_mask_png(path("gray16.png"));
    QCOMPARE(m[0][0].item<float>(), 1.0f);
    QCOMPARE(m[0][1].item<float>(), 100.0f / 255.0f);

    // RGBA with translucent alpha: Auto takes the alpha; Luminance ignores it.
    cv::Mat rgba(1, 2, CV_8UC4);
    rgba.at<cv::Vec4b>(0, 0) = {0, 0, 255, 0};    // B, G, R, A: red, transparent
    rgba.at<cv::Vec4b>(0, 1) = {255, 0, 0, 200};  // blue, mostly opaque
    QVERIFY(cv::imwrite(path("rgba.png"), rgba));
    m = read_mask_png(path("rgba.png"));
    QCOMPARE(m[0][0].item<float>(), 0.0f);
    QCOMPARE(m[0][1].item<float>(), 200.0f / 255.0f);
    m = read_mask_png(path("rgba.png"), MaskSource::Luminance);
    QCOMPARE(m[0][0].item<float>(), 76.0f / 255.0f);  // PIL: (255*19595 + 0x8000) >> 16 = 76
    QCOMPARE(m[0][1].item<float>(), 29.0f / 255.0f);  // (255*7471 + 0x8000) >> 16 = 29

    // Fully opaque RGBA and RGB: luminance as PIL's convert("L").
    rgba.at<cv::Vec4b>(0, 0) = {255, 255, 255, 255};
    rgba.at<cv::Vec4b>(0, 1) = {30, 200, 100, 255};  // R=100 G=200 B=30
    QVERIFY(cv::imwrite(path("opaque.png"), rgba));
    m = read_mask_png(path("opaque.png"));
    QCOMPARE(m[0][0].item<float>(), 1.0f);
    const int l = (100 * 19595 + 200 * 38470 + 30 * 7471 + 0x8000) >> 16;
    QCOMPARE(m[0][1].item<float>(), l / 255.0f);
    cv::Mat rgb(1, 1, CV_8UC3, cv::Scalar(30, 200, 100));
    QVERIFY(cv::imwrite(path("rgb.png"), rgb));
    QCOMPARE(read_mask_png(path("rgb.png"))[0][0].item<float>(), l / 255.0f);
    QCOMPARE(read_mask_png(path("rgb.png"), MaskSource::Alpha)[0][0].item<float>(), 1.0f);

    // Our own writer's output is a valid mask file too.
    RgbImage white{2, 1, std::vector<std::uint8_t>(6, 255)};
    write_png(path("white.png"), white);
    QVERIFY(at::equal(read_mask_png(path("white.png")), at::ones({1, 2})));
  }
};

QTEST_APPLESS_MAIN(TestImaging)
#include "test_imaging.moc"
