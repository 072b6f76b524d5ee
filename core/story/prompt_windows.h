#pragma once
// Prompt consolidation and sliding windows (DESIGN 4.1-4.2). Frame j's prompt is
// P0 + " " + the window's frame prompts joined by spaces. Token positions of P0 and of every
// window frame come from tokenizing each piece on its own and concatenating the ids (CLIP
// tokenizes whitespace-separated pieces independently), never from searching the text.
#include <cstdint>
#include <string>
#include <vector>

#include "core/story/story_spec.h"
#include "core/text/clip_tokenizer.h"

namespace storyscope {

// Inclusive token positions in the padded id sequence (SOT is position 0).
struct TokenRange {
  std::int64_t first = 0, last = -1;
  std::int64_t size() const { return last - first + 1; }
};

// The frame indices (0-based into the frame list) of frame j's window, in prompt order.
//  circular (reference code): [j, j+1, ..., j+w-1] mod N  -- frame j comes first;
//  trailing (paper): the w frames ending at j, [j-w+1 .. j]; frames j < w-1 use [0 .. w-1]
//  so every window holds w frames -- frame j is anywhere in it.
// w is clamped to [1, N].
std::vector<int> window_frames(WindowMode mode, int frame, int frame_count, int window_size);

struct ConsolidatedPrompt {
  int frame = 0;                     // j: the frame this prompt renders
  std::vector<int> window;           // frame indices in prompt order (contains `frame`)
  std::string text;                  // P0 + " " + join(window prompts, " ")
  std::vector<std::int64_t> ids;     // padded to model_max_length: SOT, tokens, EOT, padding
  TokenRange identity;               // P0's tokens
  std::vector<TokenRange> frames;    // one per window entry, same order as `window`
  TokenRange express;                // the span of `frame` itself (one of `frames`)
  std::vector<TokenRange> suppress;  // the other window frames, in window order
  std::vector<std::int64_t> eot;     // every EOS and padding position after the real tokens
};

// Real (non-special) token count of a piece of text.
std::int64_t token_count(const ClipTokenizer& tokenizer, const std::string& text);

// Builds frame j's consolidated prompt for the given window. Throws Error(BadInput) naming the
// frame (`frames[j]`) when P0 + the window does not fit in model_max_length - 2 tokens.
ConsolidatedPrompt consolidate_prompt(const ClipTokenizer& tokenizer, const std::string& identity,
                                      const std::vector<std::string>& frames, int frame,
                                      const std::vector<int>& window);

// The window size a story runs with: the largest w <= min(requested, N) for which every
// frame's window fits every tokenizer's budget. Throws Error(BadInput) naming the first frame
// that cannot fit even alone (w = 1) and its token count, never truncates.
int fitting_window_size(const std::vector<const ClipTokenizer*>& tokenizers, const StorySpec& spec,
                        const std::string& source = "story.json");

}  // namespace storyscope
