#pragma once
// The story the window opens with: a shapes-world example from examples/ when one is there (the
// demo model understands it), else a built-in one in the same world's words.
#include <QString>

#include "core/story/story_spec.h"

namespace storyscope::ui {

// The example file used (empty for the built-in story) is stored in `source` when given.
StorySpec default_story(QString* source = nullptr);

}  // namespace storyscope::ui
