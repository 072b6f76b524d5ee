#pragma once
// Export of generated frames into a folder, the same layout the CLI's `story` command writes:
// frame PNGs with generation metadata, strip.png, story.gif/.mp4, story.json, and each frame's
// attention records in frame_NN/records.{safetensors,json} when they were recorded.
#include <QString>
#include <QStringList>
#include <vector>

#include "core/story/story_spec.h"
#include "ui/frame_data.h"

namespace storyscope::ui {

// Throws storyscope::Error (naming the file) when a file cannot be written; files already
// written stay. Returns the paths written.
QStringList export_story(const QString& dir, const std::vector<FramePtr>& frames, const StorySpec& spec,
                         const QString& model_path);

}  // namespace storyscope::ui
