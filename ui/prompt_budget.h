#pragma once
// What the Story panel shows under the frame list: for every frame, the window it will use and
// its consolidated prompt's token count per text encoder, computed by the same core functions
// the run uses (fitting_window_size, window_frames), so the panel never disagrees with a run.
#include <QString>
#include <cstdint>
#include <vector>

#include "core/story/story_spec.h"
#include "core/text/clip_tokenizer.h"

namespace storyscope::ui {

struct FrameBudget {
  int frame = 0;
  std::vector<int> window;            // frame indices in prompt order
  std::vector<std::int64_t> tokens;   // consolidated prompt tokens, one per encoder
  std::vector<std::int64_t> budgets;  // tokens that fit, one per encoder (model_max_length - 2)
};

struct PromptBudget {
  int window_size = 0;  // the window the run will use (may be below the requested size)
  std::vector<FrameBudget> frames;
  QString error;  // set when the story cannot run as written (e.g. a frame too long even alone)
};

PromptBudget prompt_budget(const std::vector<ClipTokenizer>& tokenizers, const StorySpec& spec);

}  // namespace storyscope::ui
