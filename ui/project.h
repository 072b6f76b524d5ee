#pragma once
// A StoryScope project on disk: a folder with
//   project.json                 story, run settings, model path, frame list, masks
//   storyscope-data/<n>/frames/frame_NN.png          the generated frames
//   storyscope-data/<n>/frames/frame_NN_x0/step_SSS.png   per-step predicted x0 (when collected)
//   storyscope-data/<n>/records/frame_NN/records.{safetensors,json}   attention records (when recorded)
//   storyscope-data/<n>/masks/<word>.png    painted masks (supplied by the mask painter)
// where n is the save's generation: project.json, written last, names the current one (older
// projects kept these folders at the top, and still load). Every file is written with QSaveFile
// (whole or not at all), so a crash or kill during a save leaves the old project or the new
// one. Reading checks everything before returning, so a damaged project is reported (file and
// problem) and changes nothing.
#include <QMap>
#include <QString>
#include <stdexcept>
#include <vector>

#include "core/story/story_spec.h"
#include "ui/engine_types.h"
#include "ui/frame_data.h"

namespace storyscope::ui {

struct ProjectRunSettings {
  QString model_path;
  QString device = QStringLiteral("cpu");
  QString precision = QStringLiteral("fp32");
  RunOptions options;
  bool seed_locked = true;
};

struct Project {
  StorySpec spec;
  ProjectRunSettings run;
  std::vector<FramePtr> frames;
  // word -> mask PNG. Saving copies each file into masks/; after loading, paths are absolute.
  QMap<QString, QString> masks;
  // Concept pack folders the model carries (not copied: stored relative to the project folder
  // when inside it; absolute after loading). A missing one is reported when the model loads.
  QStringList concept_packs;
};

// The message names the file and the problem ("…/project.json: story.steps: must be >= 1").
class ProjectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  QString message() const { return QString::fromUtf8(what()); }
};

struct ProjectSaveOptions {
  bool records = true;   // attention records can be large; autosave leaves them out
  bool previews = true;  // per-step x0 PNGs
};

inline constexpr const char* kProjectFile = "project.json";

void save_project(const QString& dir, const Project& project, const ProjectSaveOptions& options = {});
Project load_project(const QString& dir);

}  // namespace storyscope::ui
