#pragma once
// The shapes world: a procedural text-to-image world with exact ground truth. A scene is one
// main object (and optionally a companion "next to" it) on one of six backgrounds; its caption
// states some attributes and leaves the others to chance, so the identity of an object drifts
// across frames exactly as much as the caption allows. Everything is deterministic from a seed
// (own splitmix RNG, no std:: distributions, which differ between standard libraries).
#include <ATen/Tensor.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace storyscope::shapes {

enum class Shape : int { Circle, Square, Triangle, Star, Heart, Diamond };
enum class Colour : int { Red, Orange, Yellow, Green, Blue, Purple, Pink, White, Black, Brown };
enum class Size : int { Small, Big };
enum class Pattern : int { Plain, Striped, Dotted, Checkered };
enum class Position : int { Left, Right, Top, Bottom, Center };
enum class Background : int { Sky, Grass, Night, Desert, Snow, Underwater };

inline constexpr int kShapeCount = 6;
inline constexpr int kColourCount = 10;
inline constexpr int kSizeCount = 2;
inline constexpr int kPatternCount = 4;
inline constexpr int kPositionCount = 5;
inline constexpr int kBackgroundCount = 6;

// The caption word of each value ("circle", "red", "big", "striped", "left", "snow", ...).
const char* word(Shape v);
const char* word(Colour v);
const char* word(Size v);
const char* word(Pattern v);
const char* word(Position v);
const char* word(Background v);

// Every word a caption of the world can contain (attribute words and function words), each
// once, in a fixed order. The tokenizer makes each of them one token.
const std::vector<std::string>& world_words();

// What a caption says. The shape of the main object is always stated; a companion, when
// present, is always stated as "next to a <colour> <shape>".
struct CaptionSpec {
  Shape shape = Shape::Circle;
  std::optional<Colour> colour;
  std::optional<Size> size;
  std::optional<Pattern> pattern;
  std::optional<Position> position;
  std::optional<Background> background;
  struct Companion {
    Colour colour;
    Shape shape;
    bool operator==(const Companion& o) const { return colour == o.colour && shape == o.shape; }
  };
  std::optional<Companion> companion;

  bool operator==(const CaptionSpec& o) const;
};

// Canonical English: "a big red striped circle on the left in the snow next to a yellow star"
// ("an" before a vowel: "an orange heart").
// Positions read "on the left|right|top|bottom" / "in the center"; scenes "in the sky",
// "on the grass", "at night", "in the desert", "in the snow", "underwater".
std::string caption_text(const CaptionSpec& spec);

// Parses a caption of the world's grammar (case-insensitive; "an", commas and a final period
// are accepted): attribute words before the first shape word describe the main object, words
// after "next to" the companion. Throws Error(BadInput) naming `what` and the offending word for
// a word outside the world, a missing shape, or a companion without colour and shape.
CaptionSpec parse_caption(const std::string& caption, const std::string& what = "caption");

// What each word of a caption refers to, for per-word masks.
enum class WordRole {
  Function,    // "a", "the", "on", "in", "at", "next", "to": no mask
  MainObject,  // shape, colour, size, pattern and position words of the main object
  Companion,   // colour and shape words after "next to"
  Scene,       // the background word: the pixels no object covers
};
struct CaptionWord {
  std::string text;  // lower-cased, punctuation stripped
  int index;         // position among the caption's whitespace-separated words
  WordRole role;
};
// Throws like parse_caption.
std::vector<CaptionWord> caption_words(const std::string& caption, const std::string& what = "caption");

// One object. Geometry is in fractions of the image side, so a scene renders at any size.
struct ShapeObject {
  Shape shape = Shape::Circle;
  Colour colour = Colour::Red;
  Size size = Size::Small;
  Pattern pattern = Pattern::Plain;
  Position position = Position::Center;
  double cx = 0.5, cy = 0.5;  // exact centre (x right, y down), in [0, 1]
  double radius = 0.12;       // circumradius
  double rotation = 0;        // radians, counter-clockwise on screen
  double hue_jitter = 0;      // added to the colour's hue, in turns
};

struct Scene {
  Background background = Background::Sky;
  std::vector<ShapeObject> objects;  // [0] the main object, [1] the companion when there is one
  CaptionSpec caption;               // what the caption states about it (consistent with objects)
};

// Nominal layout, shared by generator and checker.
inline constexpr double kSmallRadius = 0.12;
inline constexpr double kBigRadius = 0.20;
inline constexpr double kRadiusJitter = 0.06;               // relative, uniform +-
inline constexpr double kPositionJitter = 0.04;             // absolute, uniform +- per axis
inline constexpr double kMaxRotation = 0.4363323129985824;  // 25 degrees, uniform +-
inline constexpr double kMaxHueJitter = 0.02;               // turns, uniform +-
std::array<double, 2> position_anchor(Position p);          // {x, y} centre of a position

// Draws which attributes the caption states and their values (shape always, colour usually,
// size/pattern/position/scene sometimes, a companion sometimes), then the scene.
Scene random_scene(std::uint64_t seed);
// The scene for a caption: stated attributes as given, unstated ones drawn from `seed`.
Scene scene_from_spec(const CaptionSpec& spec, std::uint64_t seed);
Scene scene_from_caption(const std::string& caption, std::uint64_t seed);

// Colours: the object's main tone (with hue jitter) and the tone its pattern is drawn in.
std::array<float, 3> colour_rgb(Colour c, double hue_jitter = 0);
std::array<float, 3> pattern_rgb(Colour c, double hue_jitter = 0);

struct Render {
  at::Tensor image;                  // [3, H, W] float32 in [0, 1]
  std::vector<at::Tensor> coverage;  // per object [H, W] float32 in [0, 1]: visible coverage
  at::Tensor background;             // [H, W]: 1 - union of the objects' coverage
};

// Rasterises analytically with 4x4 supersampling on edges (shape edges and pattern edges).
Render render(const Scene& scene, int size);
// The background alone, [3, size, size] in [0, 1].
at::Tensor render_background(Background background, int size);
// One object's coverage alone, [size, size] (what render() reports for it with no overlap).
at::Tensor object_coverage(const ShapeObject& object, int size);
// The fraction of each pixel drawn in the object's pattern tone, [size, size] (0 when plain).
at::Tensor object_pattern_share(const ShapeObject& object, int size);

struct WordMask {
  std::string word;
  int index;        // position among the caption's whitespace-separated words
  at::Tensor mask;  // [H, W] float32 in [0, 1]
};
// One mask per non-function word of `caption` (a caption of `scene`'s grammar): object words
// -> that object's coverage, the scene word -> the background mask. Function words are left out.
std::vector<WordMask> word_masks(const std::string& caption, const Render& render);

// splitmix64, for callers that derive per-example seeds the same way the world does.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

}  // namespace storyscope::shapes
