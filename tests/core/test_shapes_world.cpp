// The shapes world generator: determinism, captions <-> scenes, per-word masks against the
// render, colours against the caption, and the world's tokenizer (one token per world word).
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <filesystem>
#include <set>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/demo/shapes_data.h"
#include "core/demo/shapes_vocab.h"
#include "core/demo/shapes_world.h"
#include "core/text/clip_tokenizer.h"

using namespace storyscope;
using namespace storyscope::shapes;
namespace fs = std::filesystem;

namespace {

double rgb_distance(const std::array<float, 3>& a, const float* b, std::size_t plane) {
  double s = 0;
  for (int c = 0; c < 3; ++c) s += (a[c] - b[c * plane]) * (a[c] - b[c * plane]);
  return std::sqrt(s);
}

}  // namespace

class TestShapesWorld : public QObject {
  Q_OBJECT

 private slots:
  void same_seed_same_bytes() {
    for (std::uint64_t seed : {0ull, 1ull, 12345ull}) {
      const Scene a = random_scene(seed), b = random_scene(seed);
      QCOMPARE(caption_text(a.caption), caption_text(b.caption));
      QVERIFY(at::equal(render(a, 64).image, render(b, 64).image));
    }
    int differing = 0;
    for (std::uint64_t seed = 0; seed < 20; ++seed)
      differing += !at::equal(render(random_scene(seed), 32).image, render(random_scene(seed + 1), 32).image);
    QCOMPARE(differing, 20);
    // A fixed seed is a fixed scene: pinned so a change to the generator is noticed.
    const Scene s = random_scene(42);
    QVERIFY(!caption_text(s.caption).empty());
    const Scene again = scene_from_spec(s.caption, mix_seed(42, 0x5CE11E));
    QVERIFY(at::equal(render(s, 32).image, render(again, 32).image));
  }

  void data_source_is_deterministic() {
    const ShapesWorldData data({32, 9});
    QCOMPARE(data.image_size(), 32);
    const TrainingBatch a = data.batch(3, 5), b = data.batch(3, 5);
    QCOMPARE(a.images.sizes(), (at::IntArrayRef{5, 3, 32, 32}));
    QVERIFY(at::equal(a.images, b.images));
    QCOMPARE(a.captions, b.captions);
    QVERIFY(a.images.min().item<float>() >= -1 && a.images.max().item<float>() <= 1);
    for (int i = 0; i < 5; ++i) {
      const Scene sc = data.scene(3 * 5 + i);
      QCOMPARE(a.captions[i], caption_text(sc.caption));
      QVERIFY(at::allclose(a.images[i], render(sc, 32).image * 2 - 1));
    }
    QVERIFY(!at::equal(a.images, data.batch(4, 5).images));
    QVERIFY(!at::equal(a.images, ShapesWorldData({32, 10}).batch(3, 5).images));
  }

  void captions_parse_back() {
    for (std::uint64_t seed = 0; seed < 500; ++seed) {
      const Scene s = random_scene(seed);
      const std::string text = caption_text(s.caption);
      QCOMPARE(parse_caption(text), s.caption);
      // The scene states what its caption states.
      const ShapeObject& o = s.objects[0];
      QCOMPARE(o.shape, s.caption.shape);
      if (s.caption.colour) QCOMPARE(o.colour, *s.caption.colour);
      if (s.caption.size) QCOMPARE(o.size, *s.caption.size);
      if (s.caption.pattern) QCOMPARE(o.pattern, *s.caption.pattern);
      if (s.caption.position) QCOMPARE(o.position, *s.caption.position);
      if (s.caption.background) QCOMPARE(s.background, *s.caption.background);
      QCOMPARE(s.objects.size(), s.caption.companion ? std::size_t{2} : std::size_t{1});
      if (s.caption.companion) {
        QCOMPARE(s.objects[1].colour, s.caption.companion->colour);
        QCOMPARE(s.objects[1].shape, s.caption.companion->shape);
        QVERIFY(s.objects[1].colour != o.colour);
      }
      const Scene again = scene_from_caption(text, seed);
      QCOMPARE(again.caption, s.caption);
    }
  }

  void hand_written_caption() {
    const std::string text = "A big red striped circle on the left in the snow, next to a yellow star.";
    const CaptionSpec spec = parse_caption(text);
    QCOMPARE(spec.shape, Shape::Circle);
    QCOMPARE(spec.colour.value(), Colour::Red);
    QCOMPARE(spec.size.value(), Size::Big);
    QCOMPARE(spec.pattern.value(), Pattern::Striped);
    QCOMPARE(spec.position.value(), Position::Left);
    QCOMPARE(spec.background.value(), Background::Snow);
    QVERIFY(spec.companion.has_value());
    QCOMPARE(spec.companion->colour, Colour::Yellow);
    QCOMPARE(spec.companion->shape, Shape::Star);
    QCOMPARE(caption_text(spec),
             std::string("a big red striped circle on the left in the snow next to a yellow star"));
    const auto words = caption_words(text);
    QCOMPARE(words.size(), std::size_t{16});
    const WordRole roles[] = {
        WordRole::Function,   WordRole::MainObject, WordRole::MainObject, WordRole::MainObject,
        WordRole::MainObject, WordRole::Function,   WordRole::Function,   WordRole::MainObject,
        WordRole::Function,   WordRole::Function,   WordRole::Scene,      WordRole::Function,
        WordRole::Function,   WordRole::Function,   WordRole::Companion,  WordRole::Companion};
    for (int i = 0; i < 16; ++i) {
      QCOMPARE(words[i].index, i);
      QCOMPARE(words[i].role, roles[i]);
    }
    QCOMPARE(words[10].text, std::string("snow"));
    QCOMPARE(words[15].text, std::string("star"));  // "star." lost its period

    const CaptionSpec minimal = parse_caption("a heart");
    QCOMPARE(minimal.shape, Shape::Heart);
    QVERIFY(!minimal.colour && !minimal.size && !minimal.pattern && !minimal.position && !minimal.background);
    QCOMPARE(parse_caption("a green square at night").background.value(), Background::Night);
    QCOMPARE(parse_caption("a square underwater").background.value(), Background::Underwater);

    QVERIFY_THROWS_EXCEPTION(Error, parse_caption("a red fox"));
    QVERIFY_THROWS_EXCEPTION(Error, parse_caption("a red"));
    QVERIFY_THROWS_EXCEPTION(Error, parse_caption("a circle next to a star"));
    QVERIFY_THROWS_EXCEPTION(Error, parse_caption("a red blue circle"));
    QVERIFY_THROWS_EXCEPTION(Error, parse_caption("a circle in the snow in the sky"));
  }

  void unstated_attributes_vary() {
    std::set<int> colours, sizes, patterns, positions, backgrounds;
    std::set<double> rotations, hues;
    for (std::uint64_t seed = 0; seed < 60; ++seed) {
      const Scene s = scene_from_caption("a circle", seed);
      const ShapeObject& o = s.objects[0];
      colours.insert(static_cast<int>(o.colour));
      sizes.insert(static_cast<int>(o.size));
      patterns.insert(static_cast<int>(o.pattern));
      positions.insert(static_cast<int>(o.position));
      backgrounds.insert(static_cast<int>(s.background));
      rotations.insert(o.rotation);
      hues.insert(o.hue_jitter);
      QVERIFY(std::abs(o.rotation) <= kMaxRotation && std::abs(o.hue_jitter) <= kMaxHueJitter);
    }
    QVERIFY(colours.size() >= 8);
    QCOMPARE(sizes.size(), std::size_t{2});
    QCOMPARE(patterns.size(), std::size_t{4});
    QCOMPARE(positions.size(), std::size_t{5});
    QCOMPARE(backgrounds.size(), std::size_t{6});
    QCOMPARE(rotations.size(), std::size_t{60});
    QCOMPARE(hues.size(), std::size_t{60});
    // Stated attributes hold whatever the seed.
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const Scene s = scene_from_caption("a small blue dotted star at the bottom underwater", seed);
      QCOMPARE(s.objects[0].colour, Colour::Blue);
      QCOMPARE(s.objects[0].size, Size::Small);
      QCOMPARE(s.objects[0].pattern, Pattern::Dotted);
      QCOMPARE(s.objects[0].position, Position::Bottom);
      QVERIFY(std::abs(s.objects[0].radius / kSmallRadius - 1) <= kRadiusJitter + 1e-12);
      const auto anchor = position_anchor(Position::Bottom);
      QVERIFY(std::abs(s.objects[0].cx - anchor[0]) <= kPositionJitter + 1e-12);
      QVERIFY(std::abs(s.objects[0].cy - anchor[1]) <= kPositionJitter + 1e-12);
    }
  }

  void masks_agree_with_the_picture() {
    for (int size : {32, 64}) {
      for (std::uint64_t seed = 0; seed < 60; ++seed) {
        const Scene s = random_scene(seed);
        const std::string text = caption_text(s.caption);
        const Render r = render(s, size);
        const auto masks = word_masks(text, r);
        const auto words = caption_words(text);
        // One mask per non-function word, in caption order.
        std::size_t expected = 0;
        for (const auto& w : words) expected += w.role != WordRole::Function;
        QCOMPARE(masks.size(), expected);
        // Objects never overlap, so each object's visible coverage is its own coverage.
        std::vector<at::Tensor> own;
        for (const ShapeObject& o : s.objects) own.push_back(object_coverage(o, size));
        at::Tensor covered = at::zeros({size, size});
        for (const auto& c : own) covered = covered + c;
        QVERIFY(covered.max().item<float>() <= 1 + 1e-6);
        for (const WordMask& m : masks) {
          const WordRole role = words[m.index].role;
          QCOMPARE(m.word, words[m.index].text);
          if (role == WordRole::MainObject) QVERIFY(at::allclose(m.mask, own[0], 0, 1e-6));
          if (role == WordRole::Companion) QVERIFY(at::allclose(m.mask, own[1], 0, 1e-6));
          if (role == WordRole::Scene) QVERIFY(at::allclose(m.mask, 1 - covered, 0, 1e-6));
        }
        // Where no object covers a pixel, the picture is exactly the background; where one
        // does, it is not.
        const at::Tensor bg = render_background(s.background, size);
        const at::Tensor changed = (r.image - bg).abs().amax(0) > 1e-6;
        QVERIFY(!(changed & (covered == 0)).any().item<bool>());
        QVERIFY(!(~changed & (covered > 0.25)).any().item<bool>());
      }
    }
  }

  void object_colours_match_the_caption() {
    const int size = 64;
    const std::size_t plane = size * size;
    for (std::uint64_t seed = 0; seed < 120; ++seed) {
      const Scene s = random_scene(seed);
      const Render r = render(s, size);
      const at::Tensor img = r.image.contiguous();
      for (std::size_t k = 0; k < s.objects.size(); ++k) {
        const ShapeObject& o = s.objects[k];
        const at::Tensor share = object_pattern_share(o, size);
        const float* cov = r.coverage[k].contiguous().data_ptr<float>();
        const float* sh = share.data_ptr<float>();
        const std::array<float, 3> main = colour_rgb(o.colour, o.hue_jitter);
        const std::array<float, 3> alt = pattern_rgb(o.colour, o.hue_jitter);
        int full = 0;
        for (std::size_t i = 0; i < plane; ++i) {
          if (cov[i] < 1) continue;
          ++full;
          const float* p = img.data_ptr<float>() + i;
          if (sh[i] == 0) QVERIFY(rgb_distance(main, p, plane) < 1e-5);
          if (sh[i] == 1) QVERIFY(rgb_distance(alt, p, plane) < 1e-5);
          // The nearest nominal tone of any colour is one of this colour's two.
          if (sh[i] == 0 || sh[i] == 1) {
            double best = 1e9;
            int best_colour = -1;
            for (int c = 0; c < kColourCount; ++c)
              for (const auto& tone :
                   {colour_rgb(static_cast<Colour>(c)), pattern_rgb(static_cast<Colour>(c))}) {
                const double d = rgb_distance(tone, p, plane);
                if (d < best) best = d, best_colour = c;
              }
            QCOMPARE(best_colour, static_cast<int>(o.colour));
          }
        }
        QVERIFY(full > 10);
        if (k == 0 && s.caption.colour) QCOMPARE(o.colour, *s.caption.colour);
        // A patterned object shows its pattern tone, a plain one never does.
        const double pattern_area = share.sum().item<double>();
        if (o.pattern == Pattern::Plain)
          QCOMPARE(pattern_area, 0.0);
        else
          QVERIFY(pattern_area > 0.1 * r.coverage[k].sum().item<double>());
      }
    }
  }

  void tones_are_distinct_on_every_background() {
    // Every object tone (with the largest hue jitter) stays far from every background pixel:
    // the checker's segmentation relies on it.
    const int size = 64;
    double worst = 1e9;
    for (int b = 0; b < kBackgroundCount; ++b) {
      const at::Tensor bg = render_background(static_cast<Background>(b), size).reshape({3, -1});
      for (int c = 0; c < kColourCount; ++c)
        for (double j : {-kMaxHueJitter, 0.0, kMaxHueJitter})
          for (const auto& tone :
               {colour_rgb(static_cast<Colour>(c), j), pattern_rgb(static_cast<Colour>(c), j)}) {
            const at::Tensor t = at::tensor({tone[0], tone[1], tone[2]}).reshape({3, 1});
            worst = std::min(worst, (bg - t).pow(2).sum(0).sqrt().min().item<double>());
          }
    }
    QVERIFY2(worst > 0.2, QByteArray::number(worst).constData());
  }

  void tokenizer_makes_each_world_word_one_token() {
    const fs::path dir = fs::temp_directory_path() / ("shapes_vocab_" + std::to_string(::getpid()));
    write_shapes_tokenizer(dir.string());
    const ClipTokenizer tok = ClipTokenizer::from_folder(dir.string());
    QCOMPARE(static_cast<std::int64_t>(tok.vocab_size()), shapes_vocab_size());
    QCOMPARE(tok.bos_id(), shapes_vocab_size() - 2);
    QCOMPARE(tok.eos_id(), shapes_vocab_size() - 1);
    QCOMPARE(tok.model_max_length(), 77);
    std::set<std::int64_t> ids;
    for (const std::string& w : world_words()) {
      const Encoding e = tok.encode(w);
      QCOMPARE(e.ids.size(), std::size_t{3});
      QCOMPARE(tok.token_of(e.ids[1]), w + "</w>");
      ids.insert(e.ids[1]);
    }
    QCOMPARE(ids.size(), world_words().size());
    // A caption: token i + 1 is word i, so per-word masks are per-token maps.
    const std::string caption = "a big red striped circle on the left in the snow next to a yellow star";
    const Encoding e = tok.encode(caption);
    const auto words = caption_words(caption);
    QCOMPARE(e.ids.size(), words.size() + 2);
    for (const auto& w : words) QCOMPARE(tok.token_of(e.ids[w.index + 1]), w.text + "</w>");
    // Other text still tokenizes, byte by byte, without unknown tokens.
    const Encoding zebra = tok.encode("zebra 42!");
    QVERIFY(zebra.ids.size() > 4);
    for (std::size_t i = 1; i + 1 < zebra.ids.size(); ++i) QVERIFY(zebra.ids[i] < tok.bos_id());
    QCOMPARE(tok.decode(zebra.ids), std::string("zebra 4 2 !"));
    // The same files every time.
    const std::string vocab = read_file((dir / "vocab.json").string()),
                      merges = read_file((dir / "merges.txt").string());
    write_shapes_tokenizer(dir.string());
    QCOMPARE(read_file((dir / "vocab.json").string()), vocab);
    QCOMPARE(read_file((dir / "merges.txt").string()), merges);
    fs::remove_all(dir);
  }
};

QTEST_APPLESS_MAIN(TestShapesWorld)
#include "test_shapes_world.moc"
