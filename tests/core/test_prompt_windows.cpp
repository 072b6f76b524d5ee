// Sliding windows and prompt consolidation (DESIGN 4.1-4.2): exact windows of a 30-frame story in
// both modes, clamping, token spans that match the real CLIP tokenizer, and the window size a
// story of ConsiStory+ prompts fits in, with the errors that name a frame or the identity.
#include <QtTest/QtTest>
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/story/prompt_windows.h"
#include "core/text/clip_tokenizer.h"
#include "fixtures.h"

using namespace storyscope;
using storyscope::testing::fixture;

namespace {

std::vector<int> range(int first, int last) {
  std::vector<int> v;
  for (int i = first; i <= last; ++i) v.push_back(i);
  return v;
}

std::vector<int> cat(std::vector<int> a, const std::vector<int>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Identities and settings of the first six "animals" sets in ../shared/benchmarks/consistory_plus.yaml
// (style + subject is 1Prompt1Story's identity prompt).
const std::vector<std::string> kIdentities{
    "A fiery and majestic illustration of A phoenix with bright orange feathers",
    "A vibrant and striking portrait of A zebra with black and white stripes",
    "A sleek and fast depiction of A cheetah with sharp eyes",
};
const std::vector<std::string> kSettings{
    "rising from a fiery ashes",
    "soaring through a glowing sky",
    "perching on a mountain peak",
    "singing a haunting melody",
    "igniting flames with its wings",
    "grazing alongside a river",
    "running in a herd across the plains",
    "resting under the shade of an acacia tree",
    "crossing a dusty path in the wild",
    "protecting its young in the savannah",
    "sprinting across the savannah",
    "stalking a gazelle in the grass",
    "relaxing in the shade under a tree",
    "marking territory with its scent",
    "napping after a successful hunt",
    "lounging on an ice floe",
    "diving for clams in the sea",
    "bellowing from the shore",
    "resting near a snowy coastline",
    "swimming gracefully in the ocean",
    "grazing under the sun in the savannah",
    "running with a herd through the grasslands",
    "standing near a watering hole",
    "crossing a river in the wild",
    "trotting beside a wildebeest",
    "sprinting at top speed in the savannah",
    "resting in the shade of a tree",
    "hunting a gazelle in tall grass",
    "stretching before a sprint",
    "watching the horizon from a hill",
};

std::string words(const std::string& word, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? " " : "") + word;
  return s;
}

std::vector<std::int64_t> piece(const ClipTokenizer& t, const std::string& text) {
  const auto ids = t.encode(text).ids;
  return std::vector<std::int64_t>(ids.begin() + 1, ids.end() - 1);
}

std::vector<std::int64_t> slice(const std::vector<std::int64_t>& ids, const TokenRange& r) {
  return std::vector<std::int64_t>(ids.begin() + r.first, ids.begin() + r.last + 1);
}

// Whether every frame's window of size w consolidates (the oracle for fitting_window_size).
bool every_window_fits(const ClipTokenizer& t, const StorySpec& spec, int w) {
  const int n = static_cast<int>(spec.frames.size());
  for (int j = 0; j < n; ++j) try {
      consolidate_prompt(t, spec.identity, spec.frames, j, window_frames(spec.window_mode, j, n, w));
    } catch (const Error&) {
      return false;
    }
  return true;
}

}  // namespace

class TestPromptWindows : public QObject {
  Q_OBJECT

  const ClipTokenizer& clip() {
    static const ClipTokenizer t = ClipTokenizer::from_folder(fixture("clip_tokenizer"));
    return t;
  }

 private slots:
  void circularWindowsOf30Frames() {
    const auto W = [](int j, int w) { return window_frames(WindowMode::Circular, j, 30, w); };
    QCOMPARE(W(0, 10), range(0, 9));
    QCOMPARE(W(7, 10), range(7, 16));
    QCOMPARE(W(20, 10), range(20, 29));
    QCOMPARE(W(21, 10), cat(range(21, 29), {0}));
    QCOMPARE(W(25, 10), cat(range(25, 29), range(0, 4)));
    QCOMPARE(W(29, 10), cat({29}, range(0, 8)));
    QCOMPARE(W(28, 3), (std::vector<int>{28, 29, 0}));
    QCOMPARE(W(13, 1), (std::vector<int>{13}));
    // Generic: w frames, frame j first, consecutive mod N, all different.
    for (int w : {1, 2, 5, 10, 29, 30})
      for (int j = 0; j < 30; ++j) {
        const auto win = W(j, w);
        QCOMPARE(int(win.size()), w);
        QCOMPARE(win.front(), j);
        for (int i = 1; i < w; ++i) QCOMPARE(win[i], (win[i - 1] + 1) % 30);
        QCOMPARE(int(std::set<int>(win.begin(), win.end()).size()), w);
      }
  }

  void trailingWindowsOf30Frames() {
    const auto W = [](int j, int w) { return window_frames(WindowMode::Trailing, j, 30, w); };
    // The first w-1 frames share the first full window.
    QCOMPARE(W(0, 10), range(0, 9));
    QCOMPARE(W(4, 10), range(0, 9));
    QCOMPARE(W(8, 10), range(0, 9));
    QCOMPARE(W(9, 10), range(0, 9));
    QCOMPARE(W(10, 10), range(1, 10));
    QCOMPARE(W(17, 10), range(8, 17));
    QCOMPARE(W(29, 10), range(20, 29));
    QCOMPARE(W(29, 3), (std::vector<int>{27, 28, 29}));
    QCOMPARE(W(0, 3), (std::vector<int>{0, 1, 2}));
    QCOMPARE(W(13, 1), (std::vector<int>{13}));
    // Generic: w consecutive frames in range, containing j, ending at max(j, w-1).
    for (int w : {1, 2, 5, 10, 29, 30})
      for (int j = 0; j < 30; ++j) {
        const auto win = W(j, w);
        QCOMPARE(int(win.size()), w);
        QVERIFY(std::find(win.begin(), win.end(), j) != win.end());
        QCOMPARE(win.back(), std::max(j, w - 1));
        QVERIFY(win.front() >= 0 && win.back() < 30);
        for (int i = 1; i < w; ++i) QCOMPARE(win[i], win[i - 1] + 1);
      }
  }

  void windowSizeIsClamped() {
    QCOMPARE(window_frames(WindowMode::Circular, 3, 5, 0), (std::vector<int>{3}));
    QCOMPARE(window_frames(WindowMode::Trailing, 3, 5, -4), (std::vector<int>{3}));
    QCOMPARE(window_frames(WindowMode::Circular, 3, 5, 50), (std::vector<int>{3, 4, 0, 1, 2}));
    QCOMPARE(window_frames(WindowMode::Trailing, 3, 5, 50), range(0, 4));
    QCOMPARE(window_frames(WindowMode::Trailing, 0, 1, 10), (std::vector<int>{0}));
  }

  void consolidatedPromptMatchesTheTokenizer() {
    const ClipTokenizer& t = clip();
    const int n = static_cast<int>(kSettings.size());
    for (const std::string& identity : kIdentities)
      for (WindowMode mode : {WindowMode::Circular, WindowMode::Trailing})
        for (int j = 0; j < n; ++j) {
          const auto win = window_frames(mode, j, n, 4);
          const ConsolidatedPrompt p = consolidate_prompt(t, identity, kSettings, j, win);
          // Concatenated piece tokenizations equal tokenizing the joined text.
          QCOMPARE(p.ids, t.encode_padded(p.text, 77));
          std::string joined = identity;
          for (int k : win) joined += " " + kSettings[k];
          QCOMPARE(p.text, joined);
          QCOMPARE(p.frame, j);
          QCOMPARE(p.window, win);
          // Spans: P0 right after SOT, then each frame in window order, back to back.
          QCOMPARE(p.ids[0], t.bos_id());
          QCOMPARE(p.identity.first, std::int64_t(1));
          QCOMPARE(slice(p.ids, p.identity), piece(t, identity));
          QCOMPARE(p.frames.size(), win.size());
          std::int64_t next = p.identity.last + 1;
          std::vector<TokenRange> others;
          for (std::size_t i = 0; i < win.size(); ++i) {
            QCOMPARE(p.frames[i].first, next);
            QCOMPARE(slice(p.ids, p.frames[i]), piece(t, kSettings[win[i]]));
            next = p.frames[i].last + 1;
            if (win[i] == j) {
              QCOMPARE(p.express.first, p.frames[i].first);
              QCOMPARE(p.express.last, p.frames[i].last);
            } else {
              others.push_back(p.frames[i]);
            }
          }
          QCOMPARE(p.suppress.size(), others.size());
          for (std::size_t i = 0; i < others.size(); ++i) QCOMPARE(p.suppress[i].first, others[i].first);
          // EOT: the EOS right after the real tokens and every padding position.
          QCOMPARE(p.ids[next], t.eos_id());
          QCOMPARE(p.eot.size(), std::size_t(77 - next));
          for (std::size_t i = 0; i < p.eot.size(); ++i) QCOMPARE(p.eot[i], next + std::int64_t(i));
          QCOMPARE(token_count(t, kSettings[j]),
                   p.frames[std::find(win.begin(), win.end(), j) - win.begin()].size());
        }
  }

  void consolidationRefusesAnOverlongWindow() {
    const ClipTokenizer& t = clip();
    const std::vector<std::string> frames{words("cat", 40), words("dog", 40)};
    try {
      consolidate_prompt(t, "a fox", frames, 1, {1, 0});
      QFAIL("an 82-token prompt was accepted");
    } catch (const Error& e) {
      QCOMPARE(e.location(), std::string("frames[1]"));
      QVERIFY2(e.rule().find("82") != std::string::npos, e.what());
    }
  }

  void fittingWindowByHand() {
    const ClipTokenizer& t = clip();
    // Identity "fox": 1 token; every frame 10 tokens; budget 75: 1 + 10w <= 75 -> w = 7.
    StorySpec s;
    s.identity = "fox";
    s.frames.assign(30, words("a", 10));
    s.window_size = 10;
    QCOMPARE(token_count(t, s.frames[0]), std::int64_t(10));
    QCOMPARE(fitting_window_size({&t}, s), 7);
    s.window_size = 5;  // fits as asked
    QCOMPARE(fitting_window_size({&t}, s), 5);
    s.window_size = 50;  // clamped to N first
    s.frames.assign(4, words("a", 10));
    QCOMPARE(fitting_window_size({&t}, s), 4);

    // One long frame (40 tokens) among short ones (5): in both modes some window holds frame 12
    // and w-1 short frames, which needs 1 + 40 + 5(w-1) <= 75 -> w = 7.
    s.frames.assign(30, words("a", 5));
    s.frames[12] = words("a", 40);
    s.window_size = 10;
    s.window_mode = WindowMode::Circular;
    QCOMPARE(fitting_window_size({&t}, s), 7);
    s.window_mode = WindowMode::Trailing;
    QCOMPARE(fitting_window_size({&t}, s), 7);

    // Every tokenizer counts: one with a 40-token length allows 1 + 5w <= 38 -> w = 7, while the
    // 77-token one alone would allow 10.
    ClipTokenizerOptions short_options;
    short_options.model_max_length = 40;
    const ClipTokenizer short_t = ClipTokenizer::from_files(
        fixture("clip_tokenizer/vocab.json"), fixture("clip_tokenizer/merges.txt"), short_options);
    s.frames.assign(30, words("a", 5));
    QCOMPARE(fitting_window_size({&t}, s), 10);
    QCOMPARE(fitting_window_size({&t, &short_t}, s), 7);
  }

  void fittingWindowOnConsistoryPrompts() {
    const ClipTokenizer& t = clip();
    for (const std::string& identity : kIdentities)
      for (WindowMode mode : {WindowMode::Circular, WindowMode::Trailing}) {
        StorySpec s;
        s.identity = identity;
        s.frames = kSettings;
        s.window_mode = mode;
        s.window_size = 10;
        const int w = fitting_window_size({&t}, s);
        QVERIFY(w >= 1 && w <= 10);
        // The largest size that fits: w fits every frame, w + 1 does not (or w is what was asked).
        QVERIFY(every_window_fits(t, s, w));
        if (w < 10) QVERIFY(!every_window_fits(t, s, w + 1));
        qInfo("%s, %s: window %d", identity.c_str(), window_mode_name(mode), w);
      }
  }

  void frameThatCannotFitAloneIsNamed() {
    const ClipTokenizer& t = clip();
    StorySpec s;
    s.identity = "a red fox";  // 3 tokens
    s.frames = {"in the snow", "by the river", words("cat", 73), "at night"};
    try {
      fitting_window_size({&t}, s, "fox.json");
      QFAIL("a 76-token prompt was accepted");
    } catch (const Error& e) {
      QVERIFY(e.kind() == ErrorKind::BadInput);
      QCOMPARE(e.file(), std::string("fox.json"));
      QCOMPARE(e.location(), std::string("frames[2]"));
      QVERIFY2(e.rule().find("73") != std::string::npos, e.what());
    }
    s.frames[2] = words("cat", 72);  // 3 + 72 = 75: fits alone exactly
    QCOMPARE(fitting_window_size({&t}, s), 1);

    s.identity = words("fox", 75);
    try {
      fitting_window_size({&t}, s);
      QFAIL("a 75-token identity was accepted");
    } catch (const Error& e) {
      QCOMPARE(e.location(), std::string("identity"));
      QVERIFY2(e.rule().find("75") != std::string::npos, e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestPromptWindows)
#include "test_prompt_windows.moc"
