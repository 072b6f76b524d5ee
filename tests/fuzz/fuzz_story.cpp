// Fuzz target: story.json as the CLI and GUI read it (read_story_file: UTF-8 check, JSON parse,
// story_from_json, validate_story). storyscope::Error is the expected outcome for bad input.
// A story that was accepted must survive a save/load round trip unchanged, since the GUI saves
// every story it opens.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/story/story_spec.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const storyscope::fuzz::ScratchFile file("story.json");
  storyscope::StorySpec spec;
  try {
    spec = storyscope::read_story_file(file.write(data, size));
  } catch (const storyscope::Error&) {
    return 0;
  }
  const nlohmann::json saved = storyscope::story_to_json(spec);
  // An Error here escapes on purpose: a story we accepted must read back.
  const storyscope::StorySpec again = storyscope::story_from_json(nlohmann::json::parse(saved.dump()));
  FUZZ_CHECK(storyscope::story_to_json(again) == saved);
  return 0;
}
