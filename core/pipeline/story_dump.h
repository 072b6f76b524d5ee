#pragma once
// `story --dump-embeddings`: for every frame and text encoder, the consolidated prompt's ids,
// the spans SVR used and the embedding before and after SVR, so researchers can check the
// reweighting outside StoryScope. Layout (safetensors):
//   frame{j}/{encoder}/ids     [77] I64
//   frame{j}/{encoder}/before  [77, D] F32  (what the UNet gets without SVR)
//   frame{j}/{encoder}/after   [77, D] F32
//   __metadata__["spans"] = {"frame{j}/{encoder}": {"P0": [first, last], "express": [first, last],
//                             "suppress": [[first, last], ...], "eot": [positions...]}}
// with inclusive token positions and `suppress` in the order SVR applied them; also
// __metadata__["story"] (the story JSON) and ["window_size"].
#include <string>
#include <utility>
#include <vector>

#include "core/pipeline/model_bundle.h"
#include "core/story/story_spec.h"

namespace storyscope {

// Computes every frame's conditioning and writes the file atomically.
void write_story_embeddings(ModelBundle& bundle, const StorySpec& spec, const std::string& path);

}  // namespace storyscope
