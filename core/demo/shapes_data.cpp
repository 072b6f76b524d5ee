#include "core/demo/shapes_data.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/common/error.h"

namespace storyscope {

ShapesWorldData::ShapesWorldData(ShapesWorldDataOptions options) : options_(options) {
  if (options_.image_size < 8 || options_.image_size > 1024)
    throw_bad_input("shapes data", "image_size", "must be in [8, 1024]");
}

shapes::Scene ShapesWorldData::scene(std::uint64_t n) const {
  return shapes::random_scene(shapes::mix_seed(options_.seed, n));
}

TrainingBatch ShapesWorldData::batch(std::uint64_t index, int size) const {
  if (size < 1) throw_bad_input("shapes data", "batch size", "must be at least 1");
  const int s = options_.image_size;
  TrainingBatch out;
  out.images = at::empty({size, 3, s, s}, at::kFloat);
  out.captions.resize(size);
  // Each example is a pure function of its number, so threads cannot change the batch.
  at::parallel_for(0, size, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const shapes::Scene sc = scene(index * static_cast<std::uint64_t>(size) + i);
      out.images[i].copy_(shapes::render(sc, s).image * 2 - 1);
      out.captions[i] = shapes::caption_text(sc.caption);
    }
  });
  return out;
}

}  // namespace storyscope
