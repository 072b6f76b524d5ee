#pragma once
// The baseline a consistent story is measured against: each frame generated alone from the
// plain prompt "identity frame", with the story's sampler settings and the start noise the story
// gives that frame, so any difference comes from the story techniques and nothing else.
#include <string>

#include "core/pipeline/txt2img.h"
#include "core/story/story_spec.h"

namespace storyscope {

// "identity frame" for frame `index` (0-based). Throws Error(BadInput) for an index out of range.
std::string vanilla_frame_prompt(const StorySpec& spec, int index);

// A txt2img request for frame `index`: vanilla_frame_prompt, the story's negative prompt (empty:
// none, as the story encodes it), steps, guidance, sampler, size, and seed (the story's seed, or seed + index
// when the story does not share noise across frames).
Txt2ImgRequest vanilla_frame_request(const StorySpec& spec, int index);

}  // namespace storyscope
