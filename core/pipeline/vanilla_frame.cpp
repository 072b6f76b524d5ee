#include "core/pipeline/vanilla_frame.h"

#include "core/common/error.h"

namespace storyscope {

std::string vanilla_frame_prompt(const StorySpec& spec, int index) {
  if (index < 0 || index >= static_cast<int>(spec.frames.size()))
    throw_bad_input("story", "frames[" + std::to_string(index) + "]",
                    "no such frame (the story has " + std::to_string(spec.frames.size()) + ")");
  return spec.identity + " " + spec.frames[static_cast<std::size_t>(index)];
}

Txt2ImgRequest vanilla_frame_request(const StorySpec& spec, int index) {
  Txt2ImgRequest r;
  r.prompt = vanilla_frame_prompt(spec, index);
  // As the story encodes it: an empty negative is no negative (SDXL then forces zeros).
  if (!spec.negative.empty()) r.negative = spec.negative;
  r.steps = spec.steps;
  r.guidance = spec.guidance;
  r.sampler = spec.sampler;
  r.seed = spec.same_noise ? spec.seed : spec.seed + static_cast<std::uint64_t>(index);
  r.width = spec.width;
  r.height = spec.height;
  return r;
}

}  // namespace storyscope
