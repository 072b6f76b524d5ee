// Project folders: save and open give back the same story, settings, frames, previews, records
// and masks; a damaged project.json is reported with the file and the problem and is left as it
// was; a save killed at any moment leaves the old or the new project; autosave writes a recovery
// copy that a clean save removes; the recent list.
#include <ATen/ATen.h>

#include <QDir>
#include <QFile>
#include <QPainter>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "ui/project.h"
#include "ui/project_session.h"
#include "ui_test_support.h"

using namespace storyscope;
using namespace storyscope::ui;

namespace {

QImage pattern(int size, int seed) {
  QImage image(size, size, QImage::Format_RGB888);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      image.setPixel(x, y, qRgb((x * 7 + seed) % 256, (y * 13 + seed) % 256, (x * y + seed) % 256));
  return image;
}

FramePtr make_frame(int index, bool with_records) {
  auto f = std::make_shared<FrameData>();
  f->index = index;
  f->image = pattern(24, index * 31);
  f->prompt = QStringLiteral("a fox frame %1").arg(index);
  f->x0_steps = {pattern(24, 100 + index), pattern(24, 200 + index)};
  f->encoding.ids = {49406, 320, 3240, 49407};
  f->encoding.tokens = {"<|startoftext|>", "a</w>", "fox</w>", "<|endoftext|>"};
  f->encoding.words = {{0, 1, 1, 2}, {2, 5, 2, 3}};
  if (with_records) {
    AttentionRecordSet set;
    AttentionRecord r;
    r.layer = "up_blocks.1.attentions.0.transformer_blocks.0.attn2";
    r.place = Place::Up;
    r.block_index = 1;
    r.height = r.width = r.native_height = r.native_width = 2;
    r.step = 0;
    r.probs = at::arange(12, at::kFloat).div(12).reshape({3, 4}).to(at::kHalf);
    set.records.push_back(r);
    set.token_positions = {0, 1, 2};
    set.tokens = {"<|startoftext|>", "a</w>", "fox</w>"};
    set.token_ids = {49406, 320, 3240};
    set.latent_height = set.latent_width = 2;
    f->records = std::make_shared<const AttentionRecordSet>(std::move(set));
  }
  return f;
}

Project sample_project(const QString& mask_path) {
  Project p;
  p.spec = storyscope::testing::tiny_story(3, 4);
  p.spec.svr_mode = SvrMode::Npr;
  p.run.model_path = QStringLiteral("/models/tiny");
  p.run.precision = QStringLiteral("bf16");
  p.run.options.record_attention = false;
  p.run.seed_locked = false;
  p.frames = {make_frame(0, true), make_frame(2, false)};
  p.masks.insert(QStringLiteral("fox"), mask_path);
  return p;
}

QByteArray read_all(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void write_all(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(bytes);
}

}  // namespace

class TestUiProject : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString mask_;

 private slots:
  void initTestCase() {
    storyscope::testing::isolate_user_state();
    QVERIFY(tmp_.isValid());
    mask_ = tmp_.filePath(QStringLiteral("fox-mask.png"));
    QVERIFY(pattern(24, 7).save(mask_));
  }

  void saveAndOpenGiveBackTheSameProject() {
    const QString dir = tmp_.filePath(QStringLiteral("roundtrip"));
    const Project saved = sample_project(mask_);
    save_project(dir, saved);
    const Project loaded = load_project(dir);
    QCOMPARE(story_to_json(loaded.spec), story_to_json(saved.spec));
    QCOMPARE(loaded.run.model_path, saved.run.model_path);
    QCOMPARE(loaded.run.precision, saved.run.precision);
    QCOMPARE(loaded.run.options.record_attention, false);
    QCOMPARE(loaded.run.seed_locked, false);
    QCOMPARE(loaded.frames.size(), saved.frames.size());
    for (std::size_t i = 0; i < saved.frames.size(); ++i) {
      const FrameData &a = *saved.frames[i], &b = *loaded.frames[i];
      QCOMPARE(b.index, a.index);
      QCOMPARE(b.prompt, a.prompt);
      QCOMPARE(b.image, a.image);
      QCOMPARE(b.x0_steps.size(), a.x0_steps.size());
      for (std::size_t s = 0; s < a.x0_steps.size(); ++s) QCOMPARE(b.x0_steps[s], a.x0_steps[s]);
      QCOMPARE(b.encoding.ids, a.encoding.ids);
      QCOMPARE(b.encoding.tokens, a.encoding.tokens);
      QCOMPARE(b.encoding.words.size(), a.encoding.words.size());
      QCOMPARE(b.encoding.words[1].char_end, a.encoding.words[1].char_end);
      QCOMPARE(b.encoding.words[1].token_begin, a.encoding.words[1].token_begin);
      QCOMPARE(static_cast<bool>(b.records), static_cast<bool>(a.records));
    }
    const AttentionRecord& r = loaded.frames[0]->records->records.at(0);
    QCOMPARE(r.layer, saved.frames[0]->records->records[0].layer);
    QVERIFY(at::equal(r.probs.to(at::kFloat), saved.frames[0]->records->records[0].probs.to(at::kFloat)));
    QCOMPARE(loaded.masks.keys(), QStringList{QStringLiteral("fox")});
    QCOMPARE(read_all(loaded.masks.value(QStringLiteral("fox"))), read_all(mask_));
    QVERIFY(loaded.masks.value(QStringLiteral("fox")).startsWith(dir));
  }

  void damagedProjectFileIsReportedAndLeftAlone_data() {
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("problem");
    QTest::newRow("truncated") << QByteArray("{\"format\": \"storyscope-project\", \"story\": {\"ident")
                               << "not valid JSON";
    QTest::newRow("not a project") << QByteArray("{\"hello\": 1}") << "storyscope-project";
    QTest::newRow("not an object") << QByteArray("[1, 2]") << "storyscope-project";
    QTest::newRow("format not a string") << QByteArray("{\"format\": 7}") << "storyscope-project";
    QTest::newRow("number out of range")  // nlohmann's out_of_range, not a parse_error (found by fuzzing)
        << QByteArray("{\"format\": \"storyscope-project\", \"version\": 1e999}") << "not valid JSON";
    QTest::newRow("version not a number")
        << QByteArray("{\"format\": \"storyscope-project\", \"version\": \"one\"}") << "version";
    QTest::newRow("newer version") << QByteArray("{\"format\": \"storyscope-project\", \"version\": 99}")
                                   << "newer StoryScope";
    QTest::newRow("bad field")
        << QByteArray(
               "{\"format\": \"storyscope-project\", \"version\": 1, \"story\": {\"identity\": \"a fox\", "
               "\"frames\": [\"x\"], \"steps\": 0}}")
        << "story.steps";
    QTest::newRow("missing frame image")
        << QByteArray(
               "{\"format\": \"storyscope-project\", \"version\": 1, \"story\": {\"identity\": \"a fox\", "
               "\"frames\": [\"x\"]}, \"frames\": [{\"index\": 0, \"image\": \"frames/gone.png\", "
               "\"prompt\": \"a fox x\"}]}")
        << "frames/gone.png";
    QTest::newRow("wrong type")
        << QByteArray(
               "{\"format\": \"storyscope-project\", \"version\": 1, \"story\": {\"identity\": \"a fox\", "
               "\"frames\": [\"x\"]}, \"frames\": [{\"index\": \"zero\"}]}")
        << "frames";
  }

  void damagedProjectFileIsReportedAndLeftAlone() {
    QFETCH(QByteArray, contents);
    QFETCH(QString, problem);
    const QString dir =
        tmp_.filePath(QStringLiteral("damaged-%1").arg(QTest::currentDataTag()).replace(' ', '-'));
    QVERIFY(QDir().mkpath(dir));
    const QString file = QDir(dir).filePath(QStringLiteral("project.json"));
    write_all(file, contents);
    try {
      load_project(dir);
      QFAIL("a damaged project was accepted");
    } catch (const ProjectError& e) {
      QVERIFY2(e.message().contains(QDir::toNativeSeparators(dir)), qPrintable(e.message()));
      QVERIFY2(e.message().contains(problem), qPrintable(e.message()));
    }
    QCOMPARE(read_all(file), contents);  // nothing was rewritten or lost
  }

  // A process killed (SIGKILL) at a random moment while saving, again and again: every time, the
  // folder opens as one whole version (project.json, frames and previews all of it), and the
  // versions only move forward.
  void killDuringSaveLeavesTheOldOrTheNewProject() {
    const QString dir = tmp_.filePath(QStringLiteral("killed"));
    QRandomGenerator random(7);
    int last = -1, advanced = 0;
    for (int round = 0; round < 40; ++round) {
      QProcess child;
      child.start(QStringLiteral(STORYSCOPE_SAVE_LOOP), {dir});
      QVERIFY(child.waitForReadyRead(60000));  // loaded and about to save (process start is slow)
      QTest::qWait(random.bounded(120));
      child.kill();  // SIGKILL: no cleanup, no destructors
      QVERIFY(child.waitForFinished());
      QCOMPARE(child.exitStatus(), QProcess::CrashExit);
      if (!QFile::exists(QDir(dir).filePath(QStringLiteral("project.json"))))
        continue;  // killed before the first save
      Project p;
      try {
        p = load_project(dir);
      } catch (const ProjectError& e) {
        QFAIL(qPrintable(QStringLiteral("round %1: %2").arg(round).arg(e.message())));
      }
      const int version = std::stoi(p.spec.identity.substr(8));
      QVERIFY2(version >= last,
               qPrintable(QStringLiteral("round %1: version %2 after %3").arg(round).arg(version).arg(last)));
      advanced += version > last;
      last = version;
      QCOMPARE(static_cast<int>(p.frames.size()), 3);
      // project_save_loop paints every image of version k in this colour.
      const QRgb expected = qRgb(version * 37 % 256, version * 91 % 256, version * 53 % 256);
      for (const FramePtr& f : p.frames) {
        QCOMPARE(f->prompt, QStringLiteral("version %1 frame %2").arg(version).arg(f->index));
        QCOMPARE(static_cast<int>(f->x0_steps.size()), 4);
        for (const QImage* image : {&f->image, &f->x0_steps.front(), &f->x0_steps.back()})
          QVERIFY2(image->pixel(0, 0) == expected && image->pixel(95, 95) == expected,
                   qPrintable(QStringLiteral("round %1: a file of another version").arg(round)));
      }
    }
    QVERIFY2(advanced >= 10, "the saves did not get far enough to test anything");
    // Killed saves leave partial generations behind; the next complete save removes them all.
    const Project p = load_project(dir);
    save_project(dir, p);
    const QDir data(QDir(dir).filePath(QStringLiteral("storyscope-data")));
    QCOMPARE(data.entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 1);
    QCOMPARE(load_project(dir).spec.identity, p.spec.identity);
  }

  void savingIntoAFolderKeepsTheUsersOwnFiles() {
    // A folder chosen for a project may hold the user's things, named like ours: saves (twice, so
    // the second one replaces a generation) must not remove them.
    const QDir dir(tmp_.filePath(QStringLiteral("users-folder")));
    for (const QString& file : {QStringLiteral("frames/mine.png"), QStringLiteral("masks/mine.png"),
                                QStringLiteral("storyscope-data/notes/mine.txt")}) {
      QVERIFY(QDir().mkpath(QFileInfo(dir.filePath(file)).absolutePath()));
      write_all(dir.filePath(file), "mine");
    }
    Project p;
    p.spec.identity = "a fox";
    p.spec.frames = {"x"};
    p.frames = {make_frame(0, false)};
    save_project(dir.path(), p);
    save_project(dir.path(), p);
    for (const QString& file : {QStringLiteral("frames/mine.png"), QStringLiteral("masks/mine.png"),
                                QStringLiteral("storyscope-data/notes/mine.txt")})
      QVERIFY2(QFile::exists(dir.filePath(file)), qPrintable(file));
    QCOMPARE(load_project(dir.path()).frames.size(), std::size_t{1});
  }

  void folderWithoutProjectFileIsNamed() {
    try {
      load_project(tmp_.path());
      QFAIL("accepted a folder without project.json");
    } catch (const ProjectError& e) {
      QVERIFY(e.message().contains(QStringLiteral("project.json")));
    }
  }

  void autosaveWritesRecoveryUntilSaved() {
    ProjectSession session;
    session.discardRecovery();
    QVERIFY(!session.hasRecovery());
    session.setSnapshot([this] { return sample_project(mask_); });
    QVERIFY(!session.autosaveNow());  // clean: nothing to protect
    QSignalSpy dirty(&session, &ProjectSession::dirtyChanged);
    session.markDirty();
    QCOMPARE(dirty.count(), 1);
    QVERIFY(session.autosaveNow());
    QVERIFY(session.hasRecovery());
    QVERIFY(ProjectSession::recoveryDir().startsWith(
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
    const Project recovered = load_project(ProjectSession::recoveryDir());
    QCOMPARE(recovered.frames.size(), std::size_t{2});
    QVERIFY(!recovered.frames[0]->records);  // autosave leaves the (large) records out
    session.markClean(tmp_.filePath(QStringLiteral("roundtrip")));
    QVERIFY(!session.hasRecovery());
    QVERIFY(!session.dirty());
  }

  void autosaveTimerFires() {
    ProjectSession session;
    session.setSnapshot([this] { return sample_project(mask_); });
    QSignalSpy saved(&session, &ProjectSession::autosaved);
    session.setAutosaveInterval(50);
    session.markDirty();
    QTRY_VERIFY(saved.count() >= 1);
    session.discardRecovery();
  }

  void recentProjectsAreRememberedNewestFirst() {
    ProjectSession session;
    session.clearRecent();
    const QString a = tmp_.filePath(QStringLiteral("a")), b = tmp_.filePath(QStringLiteral("b"));
    QVERIFY(QDir().mkpath(a) && QDir().mkpath(b));
    session.addRecent(a);
    session.addRecent(b);
    session.addRecent(a);
    QCOMPARE(session.recentProjects(), (QStringList{a, b}));
    QVERIFY(QDir(b).removeRecursively());
    QCOMPARE(session.recentProjects(), QStringList{a});  // vanished folders are not offered
  }
};

QTEST_MAIN(TestUiProject)
#include "test_ui_project.moc"
