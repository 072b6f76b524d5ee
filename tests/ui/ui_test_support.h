#pragma once
// Shared by the GUI tests: the tiny SD 1.5 pipeline of the fixtures, a short story for it, and
// settings/paths kept away from the user's own (QStandardPaths test mode, a test organisation).
#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QString>

#include "core/fixtures.h"
#include "core/story/story_spec.h"

namespace storyscope::testing {

inline QString tiny_model() { return QString::fromStdString(fixture("e2e/tiny_sd15_pipeline")); }

inline StorySpec tiny_story(int frames, int steps) {
  StorySpec s;
  s.identity = "a small red fox";
  const char* scenes[] = {"in the snow", "by a river", "reading a book", "under the stars", "on a hill"};
  for (int j = 0; j < frames; ++j) s.frames.push_back(scenes[j % 5]);
  s.steps = steps;
  s.guidance = 3.0;
  s.seed = 11;
  s.window_size = 3;
  return s;
}

// Call first in initTestCase: no writes into the user's settings or application data.
inline void isolate_user_state() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("StoryScopeTests"));
  QCoreApplication::setApplicationName(QStringLiteral("StoryScopeTests"));
  QSettings().clear();
}

}  // namespace storyscope::testing
