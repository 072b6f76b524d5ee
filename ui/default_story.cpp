#include "ui/default_story.h"

#include <QDir>
#include <exception>

#include "core/pipeline/model_loader.h"

namespace storyscope::ui {

StorySpec default_story(QString* source) {
  const QDir examples(QDir(QString::fromStdString(resources_dir())).filePath(QStringLiteral("../examples")));
  for (const QString& name :
       examples.entryList({QStringLiteral("shapes*.story.json")}, QDir::Files, QDir::Name)) {
    try {
      StorySpec spec = read_story_file(examples.filePath(name).toStdString());
      if (source) *source = QDir::cleanPath(examples.filePath(name));
      return spec;
    } catch (const std::exception&) {
      // A broken example must not stop the app from starting: try the next, then the built-in one.
    }
  }
  StorySpec spec;
  spec.identity = "a big red striped circle";
  spec.frames = {"on the left in the snow", "in the center in the sky", "on the right on the grass",
                 "on the top at night"};
  spec.steps = 20;
  spec.guidance = 2.0;  // as the example stories: the demo model over-saturates above ~3
  spec.window_size = 4;
  if (source) source->clear();
  return spec;
}

}  // namespace storyscope::ui
