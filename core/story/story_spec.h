#pragma once
// A story as 1Prompt1Story defines it (../shared/DESIGN.md section 4): one identity prompt P0,
// frame prompts P1..PN and the technique switches, read from and written to `story.json`.
// Only `identity` and `frames` are required; every other field has the reference default.
// Every validation error is an Error(BadInput) naming the file and the JSON field
// (e.g. `svr.enhance[1]`).
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace storyscope {

enum class WindowMode { Circular, Trailing };
enum class SvrMode { Svr, SvrEot, Npr, Off };

const char* window_mode_name(WindowMode m);  // "circular" | "trailing"
const char* svr_mode_name(SvrMode m);        // "svr" | "svr-eot" | "npr" | "off"
// Throws Error(BadInput) naming `source`/`field` for an unknown name.
WindowMode window_mode_from_name(const std::string& name, const std::string& source,
                                 const std::string& field);
SvrMode svr_mode_from_name(const std::string& name, const std::string& source, const std::string& field);

// s' = beta * s * exp(-alpha * s) (DESIGN 4.3).
struct SvrWeights {
  double alpha = 0.0;
  double beta = 1.0;
};

struct StorySpec {
  std::string identity;             // P0, e.g. "a red fox"
  std::vector<std::string> frames;  // P1..PN, at least one
  std::string negative;
  std::uint64_t seed = 42;
  int steps = 50;
  double guidance = 5.0;
  std::string sampler = "euler";
  std::int64_t width = 0, height = 0;  // 0: the model's default size

  WindowMode window_mode = WindowMode::Circular;
  int window_size = 10;  // >= 1; the run may use fewer frames when the prompt budget is tight

  SvrMode svr_mode = SvrMode::Svr;
  SvrWeights enhance{-0.01, 1.0};
  SvrWeights suppress{0.01, 0.05};

  bool ipca = true;
  // Where IPCA acts: "down", "mid", "up" (every block there) or one block "down1", "up0", ...
  // The default is every place.
  std::vector<std::string> ipca_positions{"down", "mid", "up"};
  int ipca_start_step = 0;
  double ipca_dropout = 0.0;  // probability in [0, 1)

  bool same_noise = true;  // every frame starts from the seed's noise (else seed + frame index)
};

// `source` is the file name used in errors ("story.json" for in-memory documents).
StorySpec story_from_json(const nlohmann::json& doc, const std::string& source = "story.json");
// Every field, defaults included, so a saved story reproduces the run.
nlohmann::json story_to_json(const StorySpec& spec);
// Reads and validates a story file (UTF-8 JSON); errors name the path.
StorySpec read_story_file(const std::string& path);
// Atomic write (write, fsync, rename).
void write_story_file(const std::string& path, const StorySpec& spec);
// Checks ranges (steps >= 1, guidance >= 0, window >= 1, dropout in [0,1), sizes multiple of 8
// or 0, non-empty identity and frames, valid UTF-8, positions known); throws naming the field.
void validate_story(const StorySpec& spec, const std::string& source = "story.json");

}  // namespace storyscope
