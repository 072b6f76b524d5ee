#pragma once
// Reads an image of the shapes world back: which scene, and for the main object (and the
// companion) colour, shape, size, pattern, position, rotation, area and hue, so generated images
// are judged against their caption by measurement, not by eye. Analysis by synthesis: the
// background is classified against the world's own backgrounds, objects are segmented by their
// distance from it, colours are unmixed against each colour's two tones, and shape, rotation and
// pattern are the world's own renders that best explain the pixels.
#include <ATen/Tensor.h>

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/demo/shapes_world.h"

namespace storyscope::shapes {

struct ObjectMeasurement {
  bool found = false;
  Shape shape = Shape::Circle;
  Colour colour = Colour::Red;
  Size size = Size::Small;
  Pattern pattern = Pattern::Plain;
  Position position = Position::Center;
  double cx = 0, cy = 0;                    // fitted centre, fractions of the image side
  double radius = 0;                        // fitted circumradius, fraction of the image side
  double rotation = 0;                      // radians (0 for circles)
  double area = 0;                          // covered fraction of the image
  double hue = 0;                           // degrees of the main tone's mean colour (0 for greys)
  std::array<double, 3> mean_rgb{0, 0, 0};  // mean colour of the pixels in the main tone
  double pattern_share = 0;                 // fraction of the object drawn in the pattern tone
  double shape_error = 0;                   // mean |coverage - template| over the object's window (0 = exact)
};

struct CheckResult {
  CaptionSpec expected;
  Background background = Background::Sky;
  ObjectMeasurement main;
  std::optional<ObjectMeasurement> companion;  // when the caption names one and it was found
  int objects_found = 0;
  // Verdicts for what the caption states (empty where it states nothing). A missing object makes
  // every object verdict false.
  std::optional<bool> scene_ok, colour_ok, shape_ok, size_ok, pattern_ok, position_ok, companion_ok;
  bool all_ok() const;
};

// `image`: [3, H, W] float in [0, 1] (H == W, any size the world renders at, >= 16).
// Throws Error(BadInput) for a wrong shape or a caption outside the world's grammar.
CheckResult check_image(const at::Tensor& image, const std::string& caption);

// Drift of an identity object across story frames: how much the attributes a caption leaves
// open change. Each term is a normalised spread; 0 for identical frames.
struct StoryDrift {
  int frames = 0;
  double area = 0;      // std / mean of the area
  double hue = 0;       // RMS distance of the main tone's mean colour from its mean, / 0.1
  double pattern = 0;   // 1 - share of frames with the most common pattern
  double rotation = 0;  // std of the rotation / 25 degrees (circles count as 0)
  double total = 0;     // mean of the four
};
// Frames where the object was not found are skipped (frames counts those used).
StoryDrift story_drift(const std::vector<ObjectMeasurement>& frames);

nlohmann::json to_json(const ObjectMeasurement& m);
nlohmann::json to_json(const CheckResult& r);
nlohmann::json to_json(const StoryDrift& d);

}  // namespace storyscope::shapes
