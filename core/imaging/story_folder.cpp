#include "core/imaging/story_folder.h"

#include <cstdio>
#include <filesystem>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/imaging/png_metadata.h"
#include "core/imaging/story_export.h"

namespace fs = std::filesystem;

namespace storyscope {

std::string story_frame_file(int index) {
  char name[32];
  std::snprintf(name, sizeof(name), "frame_%02d.png", index);
  return name;
}

std::vector<std::string> write_story_folder(const std::string& dir,
                                            const std::vector<StoryFolderFrame>& frames,
                                            const nlohmann::json& story, const StoryFolderOptions& options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw_bad_input(dir, "", "cannot create the output folder: " + ec.message());
  std::vector<std::string> written;
  std::vector<RgbImage> images;
  for (const StoryFolderFrame& f : frames) {
    const std::string path = (fs::path(dir) / story_frame_file(f.index)).string();
    write_generation_png(path, f.image, f.parameters, f.settings);
    written.push_back(path);
    images.push_back(f.image);
  }
  if (!images.empty()) {
    const std::string strip = (fs::path(dir) / "strip.png").string();
    write_png(strip, story_strip(images));
    written.push_back(strip);
    if (options.animation) {
      const std::string gif = (fs::path(dir) / "story.gif").string();
      write_gif(gif, images, options.frame_delay_ms);
      written.push_back(gif);
      const std::string mp4 = (fs::path(dir) / "story.mp4").string();
      if (write_mp4(mp4, images, 1000.0 / options.frame_delay_ms)) written.push_back(mp4);
    }
  }
  const std::string json_path = (fs::path(dir) / "story.json").string();
  write_file_atomically(json_path, story.dump(2) + "\n");
  written.push_back(json_path);
  return written;
}

}  // namespace storyscope
