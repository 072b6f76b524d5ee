#include "ui/story_export.h"

#include <QDir>
#include <QFileInfo>
#include <nlohmann/json.hpp>

#include "core/attention/records_file.h"
#include "core/common/error.h"
#include "core/schedulers/factory.h"
#ifdef STORYSCOPE_HAS_IMAGING
#include "core/imaging/generation_parameters.h"
#include "core/imaging/story_folder.h"
#include "ui/heatmap_image.h"
#endif

namespace storyscope::ui {

QStringList export_story(const QString& dir, const std::vector<FramePtr>& frames, const StorySpec& spec,
                         const QString& model_path) {
  QStringList written;
  if (!QDir().mkpath(dir)) throw_bad_input(dir.toStdString(), "export", "the folder cannot be created");
#ifdef STORYSCOPE_HAS_IMAGING
  std::vector<StoryFolderFrame> folder;
  for (const FramePtr& f : frames) {
    StoryFolderFrame out;
    out.index = f->index;
    out.image = to_rgb_image(f->image);
    GenerationParameters& p = out.parameters;
    p.prompt = f->prompt.toStdString();
    p.negative_prompt = spec.negative;
    p.steps = spec.steps;
    p.sampler = a1111_sampler_name(scheduler_class_for(spec.sampler));  // the story was validated
    p.cfg_scale = spec.guidance;
    p.seed = spec.seed;
    p.width = out.image.width;
    p.height = out.image.height;
    p.model = QFileInfo(model_path).fileName().toStdString();
    p.extra["Story frame"] = std::to_string(f->index) + " of " + std::to_string(spec.frames.size());
    out.settings = {{"story", story_to_json(spec)},
                    {"frame", f->index},
                    {"prompt", p.prompt},
                    {"model", QFileInfo(model_path).absoluteFilePath().toStdString()}};
    folder.push_back(std::move(out));
  }
  for (const std::string& path : write_story_folder(dir.toStdString(), folder, story_to_json(spec)))
    written << QString::fromStdString(path);
#else
  throw_bad_input(dir.toStdString(), "export", "this build has no imaging support (OpenCV)");
#endif
  for (const FramePtr& f : frames) {
    if (!f->records) continue;
    const QString sub = QDir(dir).filePath(QStringLiteral("frame_%1").arg(f->index, 2, 10, QLatin1Char('0')));
    save_attention_records(*f->records, sub.toStdString());
    written << QDir(sub).filePath(QString::fromLatin1(kAttentionRecordsTensorsFile))
            << QDir(sub).filePath(QString::fromLatin1(kAttentionRecordsIndexFile));
  }
  return written;
}

}  // namespace storyscope::ui
