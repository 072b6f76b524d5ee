#include "ui/project.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QSaveFile>
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/attention/records_file.h"
#include "core/common/error.h"

namespace storyscope::ui {
namespace {

using json = nlohmann::json;
constexpr int kFormatVersion = 1;

[[noreturn]] void fail(const QString& file, const QString& problem) {
  throw ProjectError((QDir::toNativeSeparators(file) + QStringLiteral(": ") + problem).toStdString());
}

void write_bytes(const QString& path, const QByteArray& bytes) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
    fail(path, QObject::tr("cannot be written (%1)").arg(file.errorString()));
}

void write_png(const QString& path, const QImage& image) {
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  if (!image.save(&buffer, "PNG")) fail(path, QObject::tr("the image cannot be encoded as PNG"));
  write_bytes(path, bytes);
}

QImage read_png(const QString& dir, const QString& relative, const QString& json_file) {
  const QString path = QDir(dir).filePath(relative);
  QImage image;
  if (!QFileInfo::exists(path)) fail(json_file, QObject::tr("lists %1, which does not exist").arg(relative));
  if (!image.load(path)) fail(path, QObject::tr("is not a readable image"));
  return image.convertToFormat(QImage::Format_RGB888);
}

QString frame_stem(int index) { return QStringLiteral("frame_%1").arg(index, 2, 10, QLatin1Char('0')); }

// Mask files are named after their word; anything outside [A-Za-z0-9_-] becomes '_'.
QString mask_file_name(const QString& word) {
  QString safe;
  for (const QChar c : word)
    safe += (c.isLetterOrNumber() && c.unicode() < 128) || c == QLatin1Char('-') ? c : QLatin1Char('_');
  return QStringLiteral("masks/%1.png").arg(safe.isEmpty() ? QStringLiteral("mask") : safe);
}

json encoding_to_json(const Encoding& e) {
  json words = json::array();
  for (const TokenSpan& w : e.words) words.push_back({w.char_begin, w.char_end, w.token_begin, w.token_end});
  return {{"ids", e.ids}, {"tokens", e.tokens}, {"words", words}};
}

Encoding encoding_from_json(const json& j) {
  Encoding e;
  e.ids = j.at("ids").get<std::vector<std::int64_t>>();
  e.tokens = j.at("tokens").get<std::vector<std::string>>();
  for (const json& w : j.at("words"))
    e.words.push_back(
        {w.at(0).get<std::size_t>(), w.at(1).get<std::size_t>(), w.at(2).get<int>(), w.at(3).get<int>()});
  return e;
}

json run_to_json(const ProjectRunSettings& r) {
  return {{"model", r.model_path.toStdString()},
          {"device", r.device.toStdString()},
          {"precision", r.precision.toStdString()},
          {"record_attention", r.options.record_attention},
          {"previews", r.options.collect_previews},
          {"max_batch", r.options.max_batch},
          {"seed_locked", r.seed_locked}};
}

ProjectRunSettings run_from_json(const json& j) {
  ProjectRunSettings r;
  r.model_path = QString::fromStdString(j.value("model", std::string()));
  r.device = QString::fromStdString(j.value("device", std::string("cpu")));
  r.precision = QString::fromStdString(j.value("precision", std::string("fp32")));
  r.options.record_attention = j.value("record_attention", true);
  r.options.collect_previews = j.value("previews", true);
  r.options.max_batch = j.value("max_batch", 0);
  r.seed_locked = j.value("seed_locked", true);
  return r;
}

}  // namespace

namespace {

// Where a save's generations live; a distinctive name, because cleaning up removes what is in it.
const QString kGenerationsDir = QStringLiteral("storyscope-data");

// Whether the project.json at `path` (if any) names files of the first layout (frames/... at the top).
bool uses_first_layout(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return false;
  const QByteArray text = file.readAll();
  return text.contains("\"frames/") || text.contains("\"records/") || text.contains("\"masks/");
}

// The next unused generation number (a save killed midway may have left one behind).
int next_generation(const QDir& root) {
  int highest = 0;
  const QDir data(root.filePath(kGenerationsDir));
  for (const QString& name : data.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    bool ok = false;
    const int n = name.toInt(&ok);
    if (ok) highest = std::max(highest, n);
  }
  return highest + 1;
}

// After project.json names `current`, the other numbered generations are no longer referenced;
// nor are the folders of the first layout (frames/, records/, masks/ at the top), but those are
// removed only when the previous project.json used that layout (`was_first_layout`): otherwise
// they may be the user's own, in a folder chosen for the project.
void remove_stale_generations(const QDir& root, const QString& current, bool was_first_layout) {
  QDir data(root.filePath(kGenerationsDir));
  for (const QString& name : data.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    bool numbered = false;
    name.toInt(&numbered);
    if (numbered && name != current) QDir(data.filePath(name)).removeRecursively();
  }
  if (!was_first_layout) return;
  for (const char* legacy : {"frames", "records", "masks"})
    QDir(root.filePath(QString::fromLatin1(legacy))).removeRecursively();
}

}  // namespace

// Each save writes its files into a new generation folder, storyscope-data/<n>/, and only project.json,
// written last with QSaveFile (write, fsync, rename), makes that generation current; the other
// generations are removed after it. A save killed at any moment therefore leaves the previous
// project.json and every file it names intact: the folder holds the old project or the new one,
// never a mix (test_ui_project kills a saving process many times to check this).
void save_project(const QString& dir, const Project& project, const ProjectSaveOptions& options) {
  if (!QDir().mkpath(dir)) fail(dir, QObject::tr("the folder cannot be created"));
  const QDir root(dir);
  const bool was_first_layout = uses_first_layout(root.filePath(QString::fromLatin1(kProjectFile)));
  const QString generation = QString::number(next_generation(root));
  const QString base = kGenerationsDir + QStringLiteral("/%1/").arg(generation);
  json frames = json::array();
  for (const FramePtr& f : project.frames) {
    const QString stem = frame_stem(f->index);
    const QString image = base + QStringLiteral("frames/%1.png").arg(stem);
    write_png(root.filePath(image), f->image);
    json entry = {{"index", f->index},
                  {"image", image.toStdString()},
                  {"prompt", f->prompt.toStdString()},
                  {"encoding", encoding_to_json(f->encoding)}};
    json steps = json::array();
    if (options.previews)
      for (std::size_t s = 0; s < f->x0_steps.size(); ++s) {
        const QString step =
            base + QStringLiteral("frames/%1_x0/step_%2.png").arg(stem).arg(s, 3, 10, QLatin1Char('0'));
        write_png(root.filePath(step), f->x0_steps[s]);
        steps.push_back(step.toStdString());
      }
    entry["x0_steps"] = steps;
    if (options.records && f->records) {
      const QString records = base + QStringLiteral("records/%1").arg(stem);
      try {
        save_attention_records(*f->records, root.filePath(records).toStdString());
      } catch (const std::exception& e) {
        fail(root.filePath(records), QString::fromUtf8(e.what()));
      }
      entry["records"] = records.toStdString();
    }
    frames.push_back(entry);
  }
  json masks = json::object();
  for (auto it = project.masks.begin(); it != project.masks.end(); ++it) {
    const QString relative = base + mask_file_name(it.key());
    QFile source(it.value());
    if (!source.open(QIODevice::ReadOnly)) fail(it.value(), QObject::tr("the mask cannot be read"));
    write_bytes(root.filePath(relative), source.readAll());
    masks[it.key().toStdString()] = relative.toStdString();
  }
  json concepts = json::array();
  for (const QString& pack : project.concept_packs) {
    const QString relative = root.relativeFilePath(pack);
    concepts.push_back(
        (relative.startsWith(QStringLiteral("..")) ? QDir::cleanPath(pack) : relative).toStdString());
  }
  json doc = {
      {"format", "storyscope-project"},  {"version", kFormatVersion}, {"story", story_to_json(project.spec)},
      {"run", run_to_json(project.run)}, {"frames", frames},          {"masks", masks}};
  if (!concepts.empty()) doc["concepts"] = concepts;  // projects without packs stay as they were
  write_bytes(root.filePath(QString::fromLatin1(kProjectFile)),
              QByteArray::fromStdString(doc.dump(2) + "\n"));
  remove_stale_generations(root, generation, was_first_layout);
}

Project load_project(const QString& dir) {
  const QDir root(dir);
  const QString file = root.filePath(QString::fromLatin1(kProjectFile));
  QFile in(file);
  if (!in.exists()) fail(dir, QObject::tr("is not a StoryScope project (it has no project.json)"));
  if (!in.open(QIODevice::ReadOnly)) fail(file, QObject::tr("cannot be read (%1)").arg(in.errorString()));
  json doc;
  try {
    doc = json::parse(in.readAll().toStdString());
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
    fail(file, QObject::tr("is not valid JSON (%1)").arg(QString::fromUtf8(e.what())));
  }
  const auto format = doc.is_object() ? doc.find("format") : doc.end();
  if (format == doc.end() || !format->is_string() || format->get<std::string>() != "storyscope-project")
    fail(file, QObject::tr("is not a StoryScope project file (\"format\" is not \"storyscope-project\")"));
  const auto version = doc.find("version");
  if (version != doc.end() && !version->is_number_integer())
    fail(file, QObject::tr("\"version\" is not a whole number"));
  if (version != doc.end() && version->get<std::int64_t>() > kFormatVersion)
    fail(file, QObject::tr("was written by a newer StoryScope (format version %1)")
                   .arg(static_cast<qlonglong>(version->get<std::int64_t>())));

  Project p;
  if (!doc.contains("story")) fail(file, QObject::tr("\"story\" is missing"));
  try {
    p.spec = story_from_json(doc.at("story"), file.toStdString());
    validate_story(p.spec, file.toStdString());
  } catch (const Error& e) {
    fail(file, QStringLiteral("story.%1: %2")
                   .arg(QString::fromStdString(e.location()), QString::fromStdString(e.rule())));
  }
  std::string where = "run";
  try {
    p.run = run_from_json(doc.value("run", json::object()));
    where = "frames";
    const json frames = doc.value("frames", json::array());
    for (const json& entry : frames) {
      auto f = std::make_shared<FrameData>();
      f->index = entry.at("index").get<int>();
      where = "frames[" + std::to_string(f->index) + "]";
      f->image = read_png(dir, QString::fromStdString(entry.at("image").get<std::string>()), file);
      f->prompt = QString::fromStdString(entry.at("prompt").get<std::string>());
      if (entry.contains("encoding")) f->encoding = encoding_from_json(entry.at("encoding"));
      const json steps = entry.value("x0_steps", json::array());
      for (const json& step : steps)
        f->x0_steps.push_back(read_png(dir, QString::fromStdString(step.get<std::string>()), file));
      if (entry.contains("records")) {
        const QString records = root.filePath(QString::fromStdString(entry.at("records").get<std::string>()));
        try {
          f->records =
              std::make_shared<const AttentionRecordSet>(load_attention_records(records.toStdString()));
        } catch (const std::exception& e) {
          fail(records, QString::fromUtf8(e.what()));
        }
      }
      p.frames.push_back(std::move(f));
    }
    where = "masks";
    const json masks = doc.value("masks", json::object());  // items() must not outlive it
    for (const auto& [word, path] : masks.items()) {
      const QString absolute = root.filePath(QString::fromStdString(path.get<std::string>()));
      if (!QFileInfo::exists(absolute))
        fail(file, QObject::tr("masks.%1: %2 does not exist").arg(QString::fromStdString(word), absolute));
      p.masks.insert(QString::fromStdString(word), absolute);
    }
    where = "concepts";
    for (const json& pack : doc.value("concepts", json::array()))
      p.concept_packs << QDir::cleanPath(root.filePath(QString::fromStdString(pack.get<std::string>())));
  } catch (const json::exception& e) {
    fail(file, QStringLiteral("%1: %2").arg(QString::fromStdString(where), QString::fromUtf8(e.what())));
  }
  return p;
}

}  // namespace storyscope::ui
