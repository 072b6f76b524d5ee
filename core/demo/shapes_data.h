#pragma once
// Training examples from the shapes world, generated on the fly: example n of a run is always
// the same scene, so a resumed run sees exactly the batches an uninterrupted one would have.
#include <cstdint>

#include "core/demo/shapes_world.h"
#include "core/demo/training_data.h"

namespace storyscope {

struct ShapesWorldDataOptions {
  int image_size = 64;     // H == W
  std::uint64_t seed = 0;  // selects the stream of scenes
};

class ShapesWorldData : public TrainingDataSource {
 public:
  explicit ShapesWorldData(ShapesWorldDataOptions options = {});

  // Example i of batch `index` is scene(index * size + i); images in [-1, 1].
  TrainingBatch batch(std::uint64_t index, int size) const override;
  std::int64_t image_size() const override { return options_.image_size; }

  // The scene of example number `n` (and its caption: caption_text(scene.caption)).
  shapes::Scene scene(std::uint64_t n) const;

 private:
  ShapesWorldDataOptions options_;
};

}  // namespace storyscope
