#include "ui/prompt_budget.h"

#include <exception>

#include "core/story/prompt_windows.h"

namespace storyscope::ui {

PromptBudget prompt_budget(const std::vector<ClipTokenizer>& tokenizers, const StorySpec& spec) {
  PromptBudget out;
  if (tokenizers.empty() || spec.frames.empty()) return out;
  std::vector<const ClipTokenizer*> pointers;
  for (const ClipTokenizer& t : tokenizers) pointers.push_back(&t);
  try {
    out.window_size = fitting_window_size(pointers, spec);
  } catch (const std::exception& e) {
    out.error = QString::fromUtf8(e.what());
    out.window_size = 1;  // still show each frame alone, so the user sees which one is too long
  }
  const int n = static_cast<int>(spec.frames.size());
  for (int j = 0; j < n; ++j) {
    FrameBudget f;
    f.frame = j;
    f.window = window_frames(spec.window_mode, j, n, out.window_size);
    std::string text = spec.identity;
    for (const int w : f.window) text += " " + spec.frames[static_cast<std::size_t>(w)];
    for (const ClipTokenizer& t : tokenizers) {
      f.tokens.push_back(token_count(t, text));
      f.budgets.push_back(t.model_max_length() - 2);
    }
    out.frames.push_back(std::move(f));
  }
  return out;
}

}  // namespace storyscope::ui
