// Scenes and captions of the shapes world: vocabulary, grammar, and the random draws.
// Rendering lives in shapes_render.cpp.
#include "core/demo/shapes_world.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/common/error.h"
#include "core/demo/shapes_rng.h"

namespace storyscope::shapes {

namespace {

const char* const kShapeWords[] = {"circle", "square", "triangle", "star", "heart", "diamond"};
const char* const kColourWords[] = {"red",    "orange", "yellow", "green", "blue",
                                    "purple", "pink",   "white",  "black", "brown"};
const char* const kSizeWords[] = {"small", "big"};
const char* const kPatternWords[] = {"plain", "striped", "dotted", "checkered"};
const char* const kPositionWords[] = {"left", "right", "top", "bottom", "center"};
const char* const kBackgroundWords[] = {"sky", "grass", "night", "desert", "snow", "underwater"};
const char* const kFunctionWords[] = {"a", "an", "the", "on", "in", "at", "next", "to"};

template <typename E, std::size_t N>
std::optional<E> lookup(const char* const (&words)[N], const std::string& w) {
  for (std::size_t i = 0; i < N; ++i)
    if (w == words[i]) return static_cast<E>(i);
  return std::nullopt;
}

bool is_function_word(const std::string& w) {
  for (const char* f : kFunctionWords)
    if (w == f) return true;
  return false;
}

// Lower-case and strip the punctuation a hand-written caption may carry.
std::string normalise_word(const std::string& raw) {
  std::string w;
  for (char c : raw) {
    if (c == ',' || c == '.' || c == ';' || c == '!' || c == '?') continue;
    w.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (w == "centre") w = "center";
  return w;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// The grammar in one pass: roles of the words, and the spec they state.
struct Parsed {
  std::vector<CaptionWord> words;
  CaptionSpec spec;
};

Parsed parse(const std::string& caption, const std::string& what) {
  Parsed p;
  bool have_shape = false, in_companion = false;
  std::optional<Colour> companion_colour;
  std::optional<Shape> companion_shape;
  auto fail = [&](const std::string& w, int index, const std::string& rule) {
    throw_bad_input(what, "word " + std::to_string(index + 1) + " \"" + w + "\"", rule);
  };
  const std::vector<std::string> raw = split_words(caption);
  for (int index = 0; index < static_cast<int>(raw.size()); ++index) {
    const std::string w = normalise_word(raw[index]);
    CaptionWord cw{w, index, WordRole::Function};
    if (w.empty() || is_function_word(w)) {
      if (w == "next") {
        if (!have_shape) fail(w, index, "\"next to\" must follow the main object's shape");
        in_companion = true;
      }
    } else if (auto bg = lookup<Background>(kBackgroundWords, w)) {
      if (p.spec.background) fail(w, index, "a caption names one scene");
      p.spec.background = bg;
      cw.role = WordRole::Scene;
    } else if (auto pos = lookup<Position>(kPositionWords, w)) {
      if (p.spec.position) fail(w, index, "a caption names one position");
      p.spec.position = pos;
      cw.role = WordRole::MainObject;
    } else if (in_companion) {
      if (auto c = lookup<Colour>(kColourWords, w)) {
        if (companion_colour) fail(w, index, "the companion has one colour");
        companion_colour = c;
      } else if (auto s = lookup<Shape>(kShapeWords, w)) {
        if (companion_shape) fail(w, index, "the companion has one shape");
        companion_shape = s;
      } else {
        fail(w, index, "after \"next to\" only a colour and a shape (\"next to a blue square\")");
      }
      cw.role = WordRole::Companion;
    } else if (auto s = lookup<Shape>(kShapeWords, w)) {
      if (have_shape) fail(w, index, "a second shape needs \"next to\"");
      p.spec.shape = *s;
      have_shape = true;
      cw.role = WordRole::MainObject;
    } else {
      auto c = lookup<Colour>(kColourWords, w);
      auto z = lookup<Size>(kSizeWords, w);
      auto t = lookup<Pattern>(kPatternWords, w);
      if (!c && !z && !t) fail(w, index, "not a word of the shapes world");
      if (have_shape) fail(w, index, "colour, size and pattern come before the shape");
      if ((c && p.spec.colour) || (z && p.spec.size) || (t && p.spec.pattern))
        fail(w, index, "the main object has one colour, one size and one pattern");
      if (c) p.spec.colour = c;
      if (z) p.spec.size = z;
      if (t) p.spec.pattern = t;
      cw.role = WordRole::MainObject;
    }
    p.words.push_back(cw);
  }
  if (!have_shape)
    throw_bad_input(what, "caption \"" + caption + "\"", "names no shape (circle, square, ...)");
  if (in_companion) {
    if (!companion_colour || !companion_shape)
      throw_bad_input(what, "caption \"" + caption + "\"",
                      "\"next to\" needs a colour and a shape (\"next to a blue square\")");
    p.spec.companion = CaptionSpec::Companion{*companion_colour, *companion_shape};
  }
  return p;
}

double uniform_in(Rng& rng, double a, double b) { return a + (b - a) * rng.uniform(); }

}  // namespace

const char* word(Shape v) { return kShapeWords[static_cast<int>(v)]; }
const char* word(Colour v) { return kColourWords[static_cast<int>(v)]; }
const char* word(Size v) { return kSizeWords[static_cast<int>(v)]; }
const char* word(Pattern v) { return kPatternWords[static_cast<int>(v)]; }
const char* word(Position v) { return kPositionWords[static_cast<int>(v)]; }
const char* word(Background v) { return kBackgroundWords[static_cast<int>(v)]; }

const std::vector<std::string>& world_words() {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> w;
    for (const char* s : kFunctionWords) w.push_back(s);
    for (const char* s : kShapeWords) w.push_back(s);
    for (const char* s : kColourWords) w.push_back(s);
    for (const char* s : kSizeWords) w.push_back(s);
    for (const char* s : kPatternWords) w.push_back(s);
    for (const char* s : kPositionWords) w.push_back(s);
    for (const char* s : kBackgroundWords) w.push_back(s);
    return w;
  }();
  return words;
}

bool CaptionSpec::operator==(const CaptionSpec& o) const {
  return shape == o.shape && colour == o.colour && size == o.size && pattern == o.pattern &&
         position == o.position && background == o.background && companion == o.companion;
}

// "a" or "an", by the next word's first letter (the world has no silent h or long u).
static std::string article(const std::string& next) {
  return std::string("aeiou").find(next[0]) == std::string::npos ? "a " : "an ";
}

std::string caption_text(const CaptionSpec& spec) {
  std::vector<std::string> words;
  if (spec.size) words.push_back(word(*spec.size));
  if (spec.colour) words.push_back(word(*spec.colour));
  if (spec.pattern) words.push_back(word(*spec.pattern));
  words.push_back(word(spec.shape));
  std::string s = article(words[0]) + words[0];
  for (std::size_t i = 1; i < words.size(); ++i) s += " " + words[i];
  if (spec.position) {
    s += *spec.position == Position::Center ? " in the " : " on the ";
    s += word(*spec.position);
  }
  if (spec.background) {
    switch (*spec.background) {
      case Background::Sky:
        s += " in the sky";
        break;
      case Background::Grass:
        s += " on the grass";
        break;
      case Background::Night:
        s += " at night";
        break;
      case Background::Desert:
        s += " in the desert";
        break;
      case Background::Snow:
        s += " in the snow";
        break;
      case Background::Underwater:
        s += " underwater";
        break;
    }
  }
  if (spec.companion)
    s += " next to " + article(word(spec.companion->colour)) + word(spec.companion->colour) + " " +
         word(spec.companion->shape);
  return s;
}

CaptionSpec parse_caption(const std::string& caption, const std::string& what) {
  return parse(caption, what).spec;
}

std::vector<CaptionWord> caption_words(const std::string& caption, const std::string& what) {
  return parse(caption, what).words;
}

std::array<double, 2> position_anchor(Position p) {
  switch (p) {
    case Position::Left:
      return {0.30, 0.50};
    case Position::Right:
      return {0.70, 0.50};
    case Position::Top:
      return {0.50, 0.30};
    case Position::Bottom:
      return {0.50, 0.70};
    case Position::Center:
      break;
  }
  return {0.50, 0.50};
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  Rng r(a);
  Rng s(r.next() ^ (b * 0xD1B54A32D192ED03ULL));
  return s.next();
}

Scene scene_from_spec(const CaptionSpec& spec, std::uint64_t seed) {
  // Every value is drawn whether or not the caption states it, in a fixed order, so an
  // unstated attribute's value does not depend on which others are stated.
  Rng rng(mix_seed(seed, 0x5CE4E));
  Scene scene;
  scene.caption = spec;
  const auto drawn_background = static_cast<Background>(rng.below(kBackgroundCount));
  scene.background = spec.background.value_or(drawn_background);

  ShapeObject main;
  main.shape = spec.shape;
  const auto drawn_colour = static_cast<Colour>(rng.below(kColourCount));
  const auto drawn_size = static_cast<Size>(rng.below(kSizeCount));
  const auto drawn_pattern = static_cast<Pattern>(rng.below(kPatternCount));
  const auto drawn_position = static_cast<Position>(rng.below(kPositionCount));
  const double radius_jitter = uniform_in(rng, -kRadiusJitter, kRadiusJitter);
  const double jx = uniform_in(rng, -kPositionJitter, kPositionJitter);
  const double jy = uniform_in(rng, -kPositionJitter, kPositionJitter);
  main.rotation = uniform_in(rng, -kMaxRotation, kMaxRotation);
  main.hue_jitter = uniform_in(rng, -kMaxHueJitter, kMaxHueJitter);
  main.colour = spec.colour.value_or(drawn_colour);
  if (!spec.colour && spec.companion && main.colour == spec.companion->colour)
    main.colour = static_cast<Colour>((static_cast<int>(main.colour) + 1) % kColourCount);
  main.size = spec.size.value_or(drawn_size);
  main.pattern = spec.pattern.value_or(drawn_pattern);
  main.position = spec.position.value_or(drawn_position);
  main.radius = (main.size == Size::Big ? kBigRadius : kSmallRadius) * (1 + radius_jitter);
  const auto anchor = position_anchor(main.position);
  main.cx = anchor[0] + jx;
  main.cy = anchor[1] + jy;
  scene.objects.push_back(main);

  // The companion's draws come last so they never shift the main object's.
  const auto companion_pattern = static_cast<Pattern>(rng.below(kPatternCount));
  const double companion_radius_jitter = uniform_in(rng, -kRadiusJitter, kRadiusJitter);
  const double companion_side_jitter = uniform_in(rng, -kPositionJitter, kPositionJitter);
  const double companion_rotation = uniform_in(rng, -kMaxRotation, kMaxRotation);
  const double companion_hue = uniform_in(rng, -kMaxHueJitter, kMaxHueJitter);
  if (spec.companion) {
    ShapeObject c;
    c.shape = spec.companion->shape;
    c.colour = spec.companion->colour;
    c.size = Size::Small;
    c.pattern = companion_pattern;
    c.radius = kSmallRadius * (1 + companion_radius_jitter);
    c.rotation = companion_rotation;
    c.hue_jitter = companion_hue;
    // Beside the main object, on the side with room: away from the edge it sits at.
    double dx = 0, dy = 0;
    switch (main.position) {
      case Position::Left:
        dx = 1;
        break;
      case Position::Right:
        dx = -1;
        break;
      case Position::Top:
        dy = 1;
        break;
      case Position::Bottom:
        dy = -1;
        break;
      case Position::Center:
        dx = main.cx >= 0.5 ? -1 : 1;
        break;
    }
    const double distance = main.radius + c.radius + 0.05;
    const double lo = c.radius + 0.01, hi = 1 - c.radius - 0.01;
    c.cx = std::clamp(main.cx + dx * distance + (dx == 0 ? companion_side_jitter : 0), lo, hi);
    c.cy = std::clamp(main.cy + dy * distance + (dy == 0 ? companion_side_jitter : 0), lo, hi);
    double best = 1e9;
    for (int p = 0; p < kPositionCount; ++p) {
      const auto a = position_anchor(static_cast<Position>(p));
      const double d = std::hypot(a[0] - c.cx, a[1] - c.cy);
      if (d < best) best = d, c.position = static_cast<Position>(p);
    }
    scene.objects.push_back(c);
  }
  return scene;
}

Scene scene_from_caption(const std::string& caption, std::uint64_t seed) {
  return scene_from_spec(parse_caption(caption), seed);
}

Scene random_scene(std::uint64_t seed) {
  Rng rng(mix_seed(seed, 0xCA9710));
  CaptionSpec spec;
  // Values first, then which are stated, each in a fixed order (see scene_from_spec).
  spec.shape = static_cast<Shape>(rng.below(kShapeCount));
  const auto colour = static_cast<Colour>(rng.below(kColourCount));
  const auto size = static_cast<Size>(rng.below(kSizeCount));
  const auto pattern = static_cast<Pattern>(rng.below(kPatternCount));
  const auto position = static_cast<Position>(rng.below(kPositionCount));
  const auto background = static_cast<Background>(rng.below(kBackgroundCount));
  auto companion_colour = static_cast<Colour>(rng.below(kColourCount));
  const auto companion_shape = static_cast<Shape>(rng.below(kShapeCount));
  if (rng.chance(0.9)) spec.colour = colour;
  if (rng.chance(0.5)) spec.size = size;
  if (rng.chance(0.4)) spec.pattern = pattern;
  if (rng.chance(0.6)) spec.position = position;
  if (rng.chance(0.8)) spec.background = background;
  if (rng.chance(0.3)) {
    // Two objects of one colour would make "the red one" ambiguous.
    if (companion_colour == colour)
      companion_colour = static_cast<Colour>((static_cast<int>(colour) + 1) % kColourCount);
    spec.companion = CaptionSpec::Companion{companion_colour, companion_shape};
  }
  return scene_from_spec(spec, mix_seed(seed, 0x5CE11E));
}

}  // namespace storyscope::shapes
