#include "core/story/prompt_windows.h"

#include <algorithm>

#include "core/common/error.h"

namespace storyscope {
namespace {

// The ids of `text` without bos/eos: what the piece contributes to a longer prompt, because CLIP
// tokenizes whitespace-separated words independently.
std::vector<std::int64_t> piece_tokens(const ClipTokenizer& tokenizer, const std::string& text) {
  std::vector<std::int64_t> ids = tokenizer.encode(text).ids;
  if (ids.size() < 2) return {};
  return std::vector<std::int64_t>(ids.begin() + 1, ids.end() - 1);
}

std::string frame_field(int k) { return "frames[" + std::to_string(k) + "]"; }

// Real tokens a prompt may hold: model_max_length minus SOT and EOT.
std::int64_t token_budget(const ClipTokenizer& tokenizer) { return tokenizer.model_max_length() - 2; }

}  // namespace

std::vector<int> window_frames(WindowMode mode, int frame, int frame_count, int window_size) {
  if (frame_count < 1 || frame < 0 || frame >= frame_count)
    throw Error(ErrorKind::Internal, "", "window_frames",
                "frame " + std::to_string(frame) + " outside a story of " + std::to_string(frame_count));
  const int w = std::clamp(window_size, 1, frame_count);
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(w));
  if (mode == WindowMode::Circular) {
    for (int i = 0; i < w; ++i) out.push_back((frame + i) % frame_count);
  } else {
    const int start = std::max(0, frame - w + 1);
    for (int i = 0; i < w; ++i) out.push_back(start + i);
  }
  return out;
}

std::int64_t token_count(const ClipTokenizer& tokenizer, const std::string& text) {
  return static_cast<std::int64_t>(piece_tokens(tokenizer, text).size());
}

ConsolidatedPrompt consolidate_prompt(const ClipTokenizer& tokenizer, const std::string& identity,
                                      const std::vector<std::string>& frames, int frame,
                                      const std::vector<int>& window) {
  const int n = static_cast<int>(frames.size());
  if (frame < 0 || frame >= n || std::find(window.begin(), window.end(), frame) == window.end())
    throw Error(ErrorKind::Internal, "", "consolidate_prompt",
                "frame " + std::to_string(frame) + " is not in its own window");
  ConsolidatedPrompt p;
  p.frame = frame;
  p.window = window;
  p.text = identity;
  p.ids.push_back(tokenizer.bos_id());

  // Appends one piece's tokens and returns their inclusive positions.
  const auto append = [&](const std::string& text, const std::string& field) {
    const std::vector<std::int64_t> t = piece_tokens(tokenizer, text);
    if (t.empty()) throw_bad_input("", field, "has no CLIP tokens");
    TokenRange r{static_cast<std::int64_t>(p.ids.size()),
                 static_cast<std::int64_t>(p.ids.size() + t.size()) - 1};
    p.ids.insert(p.ids.end(), t.begin(), t.end());
    return r;
  };

  p.identity = append(identity, "identity");
  for (int k : window) {
    if (k < 0 || k >= n)
      throw Error(ErrorKind::Internal, "", "consolidate_prompt",
                  "window frame " + std::to_string(k) + " out of range");
    p.text += " " + frames[static_cast<std::size_t>(k)];
    const TokenRange r = append(frames[static_cast<std::size_t>(k)], frame_field(k));
    p.frames.push_back(r);
    if (k == frame)
      p.express = r;
    else
      p.suppress.push_back(r);
  }

  const std::int64_t real = static_cast<std::int64_t>(p.ids.size()) - 1;
  if (real > token_budget(tokenizer))
    throw_bad_input("", frame_field(frame),
                    "the identity and a window of " + std::to_string(window.size()) + " frame(s) need " +
                        std::to_string(real) + " CLIP tokens; a prompt holds " +
                        std::to_string(token_budget(tokenizer)) + " (use a smaller window.size)");
  p.ids.push_back(tokenizer.eos_id());
  const std::int64_t length = tokenizer.model_max_length();
  p.ids.resize(static_cast<std::size_t>(length), tokenizer.pad_id());
  for (std::int64_t i = real + 1; i < length; ++i) p.eot.push_back(i);
  return p;
}

int fitting_window_size(const std::vector<const ClipTokenizer*>& tokenizers, const StorySpec& spec,
                        const std::string& source) {
  const int n = static_cast<int>(spec.frames.size());
  if (n == 0) throw_bad_input(source, "frames", "must hold at least one frame prompt");
  // counts[t][k]: frame k's tokens under tokenizer t; identity[t]: P0's.
  std::vector<std::vector<std::int64_t>> counts;
  std::vector<std::int64_t> identity;
  for (const ClipTokenizer* tokenizer : tokenizers) {
    const std::int64_t budget = token_budget(*tokenizer);
    const std::int64_t id_tokens = token_count(*tokenizer, spec.identity);
    if (id_tokens == 0) throw_bad_input(source, "identity", "has no CLIP tokens");
    if (id_tokens >= budget)
      throw_bad_input(source, "identity",
                      "has " + std::to_string(id_tokens) +
                          " CLIP tokens, leaving no room for a frame in the " + std::to_string(budget) +
                          " a prompt holds");
    std::vector<std::int64_t> c;
    for (int k = 0; k < n; ++k) {
      const std::int64_t t = token_count(*tokenizer, spec.frames[static_cast<std::size_t>(k)]);
      if (t == 0) throw_bad_input(source, frame_field(k), "has no CLIP tokens");
      if (id_tokens + t > budget)
        throw_bad_input(source, frame_field(k),
                        "has " + std::to_string(t) + " CLIP tokens; with the identity's " +
                            std::to_string(id_tokens) + " that is more than the " + std::to_string(budget) +
                            " a prompt holds, even alone (shorten it: it is never truncated)");
      c.push_back(t);
    }
    counts.push_back(std::move(c));
    identity.push_back(id_tokens);
  }

  const auto fits = [&](int w) {
    for (std::size_t t = 0; t < tokenizers.size(); ++t)
      for (int j = 0; j < n; ++j) {
        std::int64_t total = identity[t];
        for (int k : window_frames(spec.window_mode, j, n, w))
          total += counts[t][static_cast<std::size_t>(k)];
        if (total > token_budget(*tokenizers[t])) return false;
      }
    return true;
  };
  int w = std::clamp(spec.window_size, 1, n);
  while (w > 1 && !fits(w)) --w;
  return w;
}

}  // namespace storyscope
