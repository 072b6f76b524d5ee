#pragma once
// The output folder of a story run, written the same way by the CLI and the GUI's export:
//   frame_00.png, frame_01.png, ...  (each with A1111 `parameters` and a `storyscope` chunk)
//   strip.png                        (frames side by side)
//   story.gif, story.mp4             (animated; mp4 only when OpenCV has an encoder)
//   story.json                       (every setting, defaults included)
// Every file is written atomically; a failure leaves the files already written.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/imaging/generation_parameters.h"
#include "core/imaging/rgb_image.h"

namespace storyscope {

struct StoryFolderFrame {
  int index = 0;  // frame number in the story (names the file)
  RgbImage image;
  GenerationParameters parameters;
  nlohmann::json settings;  // the `storyscope` chunk
};

struct StoryFolderOptions {
  bool animation = true;  // story.gif (+ story.mp4)
  int frame_delay_ms = 700;
};

// File name of frame `index` ("frame_03.png").
std::string story_frame_file(int index);

// Returns the paths written, in order.
std::vector<std::string> write_story_folder(const std::string& dir,
                                            const std::vector<StoryFolderFrame>& frames,
                                            const nlohmann::json& story,
                                            const StoryFolderOptions& options = {});

}  // namespace storyscope
