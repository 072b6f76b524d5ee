// story.json in and out: the reference defaults when only identity and frames are given, an
// exact round trip of every field (file included), and one error per kind of bad input, each
// naming the JSON field it is about.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/story/story_spec.h"

using namespace storyscope;
using nlohmann::json;

namespace {

bool same_spec(const StorySpec& a, const StorySpec& b) {
  return a.identity == b.identity && a.frames == b.frames && a.negative == b.negative && a.seed == b.seed &&
         a.steps == b.steps && a.guidance == b.guidance && a.sampler == b.sampler && a.width == b.width &&
         a.height == b.height && a.window_mode == b.window_mode && a.window_size == b.window_size &&
         a.svr_mode == b.svr_mode && a.enhance.alpha == b.enhance.alpha && a.enhance.beta == b.enhance.beta &&
         a.suppress.alpha == b.suppress.alpha && a.suppress.beta == b.suppress.beta && a.ipca == b.ipca &&
         a.ipca_positions == b.ipca_positions && a.ipca_start_step == b.ipca_start_step &&
         a.ipca_dropout == b.ipca_dropout && a.same_noise == b.same_noise;
}

json minimal() { return json{{"identity", "a red fox"}, {"frames", {"in the snow", "by a river"}}}; }

// Sets `pointer` (a JSON pointer like "/svr/enhance/1") in the minimal story to `value`.
json with(const std::string& pointer, const json& value) {
  json doc = minimal();
  doc[json::json_pointer(pointer)] = value;
  return doc;
}

}  // namespace

class TestStorySpec : public QObject {
  Q_OBJECT

 private slots:
  void defaultsWhenOnlyIdentityAndFrames() {
    const StorySpec s = story_from_json(minimal());
    QCOMPARE(s.identity, std::string("a red fox"));
    QCOMPARE(s.frames, (std::vector<std::string>{"in the snow", "by a river"}));
    // The reference defaults, as issue 5 lists them.
    QCOMPARE(s.negative, std::string());
    QCOMPARE(s.seed, std::uint64_t(42));
    QCOMPARE(s.steps, 50);
    QCOMPARE(s.guidance, 5.0);
    QCOMPARE(s.sampler, std::string("euler"));
    QCOMPARE(s.width, std::int64_t(0));
    QCOMPARE(s.height, std::int64_t(0));
    QVERIFY(s.window_mode == WindowMode::Circular);
    QCOMPARE(s.window_size, 10);
    QVERIFY(s.svr_mode == SvrMode::Svr);
    QCOMPARE(s.enhance.alpha, -0.01);
    QCOMPARE(s.enhance.beta, 1.0);
    QCOMPARE(s.suppress.alpha, 0.01);
    QCOMPARE(s.suppress.beta, 0.05);
    QVERIFY(s.ipca);
    QCOMPARE(s.ipca_positions, (std::vector<std::string>{"down", "mid", "up"}));
    QCOMPARE(s.ipca_start_step, 0);
    QCOMPARE(s.ipca_dropout, 0.0);
    QVERIFY(s.same_noise);

    // Every field is written, so a saved story states the settings it ran with.
    const json out = story_to_json(s);
    for (const char* key : {"identity", "frames", "negative", "seed", "steps", "guidance", "sampler", "width",
                            "height", "window", "svr", "ipca", "same_noise"})
      QVERIFY2(out.contains(key), key);
    QCOMPARE(out["window"]["mode"].get<std::string>(), std::string("circular"));
    QCOMPARE(out["svr"]["mode"].get<std::string>(), std::string("svr"));
    QCOMPARE(out["svr"]["suppress"], (json{0.01, 0.05}));
  }

  void nullMeansDefault() {
    const StorySpec s = story_from_json(with("/steps", nullptr));
    QCOMPARE(s.steps, 50);
  }

  void roundTripEveryField() {
    StorySpec s;
    s.identity = "A traditional Japanese ink wash painting of a fox — 狐";
    s.frames = {"in the snow", "drinking from a stream", "under the moon"};
    s.negative = "blurry, low quality";
    s.seed = std::numeric_limits<std::uint64_t>::max();
    s.steps = 7;
    s.guidance = 1.0 / 3.0;
    s.sampler = "dpmpp-2m";
    s.width = 1024;
    s.height = 768;
    s.window_mode = WindowMode::Trailing;
    s.window_size = 3;
    s.svr_mode = SvrMode::SvrEot;
    s.enhance = {-0.0123456789012345, 1.1};
    s.suppress = {0.1, 0.0};
    s.ipca = false;
    s.ipca_positions = {"down1", "mid", "up0"};
    s.ipca_start_step = 4;
    s.ipca_dropout = 0.5;
    s.same_noise = false;

    const json doc = story_to_json(s);
    QVERIFY(same_spec(story_from_json(doc), s));
    // Through text too: doubles and the full uint64 seed survive printing.
    QVERIFY(same_spec(story_from_json(json::parse(doc.dump())), s));
    QCOMPARE(json::parse(doc.dump())["seed"].get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());

    QTemporaryDir dir;
    const std::string path = dir.filePath("story.json").toStdString();
    write_story_file(path, s);
    QVERIFY(same_spec(read_story_file(path), s));
    QCOMPARE(story_to_json(read_story_file(path)), doc);

    for (SvrMode m : {SvrMode::Svr, SvrMode::SvrEot, SvrMode::Npr, SvrMode::Off}) {
      s.svr_mode = m;
      QVERIFY(story_from_json(story_to_json(s)).svr_mode == m);
    }
  }

  void acceptedValues() {
    QCOMPARE(story_from_json(with("/seed", json(std::uint64_t(18446744073709551615ULL)))).seed,
             std::uint64_t(18446744073709551615ULL));
    QCOMPARE(story_from_json(with("/guidance", 0)).guidance, 0.0);
    QCOMPARE(
        story_from_json(with("/ipca/positions", {"down0", "down12", "mid", "up3"})).ipca_positions.size(),
        std::size_t(4));
    QCOMPARE(story_from_json(with("/ipca/dropout", 0.999)).ipca_dropout, 0.999);
    QCOMPARE(story_from_json(with("/width", 8)).width, std::int64_t(8));
    QCOMPARE(story_from_json(with("/sampler", "EulerDiscreteScheduler")).sampler,
             std::string("EulerDiscreteScheduler"));
    // IPCA switched off needs no positions.
    json off = minimal();
    off["ipca"] = {{"enabled", false}, {"positions", json::array()}};
    QVERIFY(!story_from_json(off).ipca);
  }

  void badInputNamesTheField_data() {
    QTest::addColumn<QString>("doc");
    QTest::addColumn<QString>("field");
    const auto row = [](const char* name, const json& doc, const char* field) {
      QTest::newRow(name) << QString::fromStdString(doc.dump()) << QString(field);
    };
    json no_identity = minimal();
    no_identity.erase("identity");
    json no_frames = minimal();
    no_frames.erase("frames");
    row("missing identity", no_identity, "identity");
    row("missing frames", no_frames, "frames");
    row("empty identity", with("/identity", ""), "identity");
    row("blank identity", with("/identity", "  \t"), "identity");
    row("identity number", with("/identity", 3), "identity");
    row("frames not array", with("/frames", "in the snow"), "frames");
    row("no frames", with("/frames", json::array()), "frames");
    row("frame number", with("/frames", {"a", "b", 3}), "frames[2]");
    row("empty frame", with("/frames", {"a", "b", "c", ""}), "frames[3]");
    row("negative type", with("/negative", false), "negative");
    row("seed negative", with("/seed", -1), "seed");
    row("seed fraction", with("/seed", 1.5), "seed");
    row("seed string", with("/seed", "42"), "seed");
    row("steps zero", with("/steps", 0), "steps");
    row("steps fraction", with("/steps", 2.5), "steps");
    row("steps string", with("/steps", "50"), "steps");
    row("guidance negative", with("/guidance", -0.5), "guidance");
    row("sampler unknown", with("/sampler", "eulr"), "sampler");
    row("width not multiple of 8", with("/width", 500), "width");
    row("height negative", with("/height", -64), "height");
    row("window not object", with("/window", 3), "window");
    row("window size zero", with("/window/size", 0), "window.size");
    row("window mode unknown", with("/window/mode", "spiral"), "window.mode");
    row("window key typo", with("/window/sise", 3), "window.sise");
    row("svr mode unknown", with("/svr/mode", "svd"), "svr.mode");
    row("svr enhance beta string", with("/svr/enhance", {-0.01, "1"}), "svr.enhance[1]");
    row("svr enhance one number", with("/svr/enhance", {-0.01}), "svr.enhance");
    row("svr suppress negative beta", with("/svr/suppress", {0.01, -1}), "svr.suppress[1]");
    row("svr key typo", with("/svr/alpha", 1), "svr.alpha");
    row("ipca enabled string", with("/ipca/enabled", "yes"), "ipca.enabled");
    row("ipca dropout one", with("/ipca/dropout", 1.0), "ipca.dropout");
    row("ipca dropout negative", with("/ipca/dropout", -0.1), "ipca.dropout");
    row("ipca start negative", with("/ipca/start_step", -1), "ipca.start_step");
    row("ipca position unknown", with("/ipca/positions", {"down", "middle"}), "ipca.positions[1]");
    row("ipca position bad index", with("/ipca/positions", {"upx"}), "ipca.positions[0]");
    row("ipca position negative", with("/ipca/positions", {"down-1"}), "ipca.positions[0]");
    row("ipca no positions", with("/ipca/positions", json::array()), "ipca.positions");
    row("same_noise number", with("/same_noise", 1), "same_noise");
    row("unknown top key", with("/seeds", 3), "seeds");
    row("document array", json::array({1, 2}), "(document)");
  }

  void badInputNamesTheField() {
    QFETCH(QString, doc);
    QFETCH(QString, field);
    try {
      story_from_json(json::parse(doc.toStdString()), "my_story.json");
      QFAIL("accepted");
    } catch (const Error& e) {
      QVERIFY(e.kind() == ErrorKind::BadInput);
      QCOMPARE(QString::fromStdString(e.location()), field);
      QCOMPARE(QString::fromStdString(e.file()), QString("my_story.json"));
      QVERIFY2(std::string(e.what()).find(field.toStdString()) != std::string::npos, e.what());
    }
  }

  void invalidUtf8NamesTheField() {
    json doc = minimal();
    doc["frames"][1] = std::string("by a \xff river");
    try {
      story_from_json(doc);
      QFAIL("accepted");
    } catch (const Error& e) {
      QCOMPARE(e.location(), std::string("frames[1]"));
      QVERIFY(e.rule().find("UTF-8") != std::string::npos);
    }
    StorySpec s = story_from_json(minimal());
    s.identity = "a \xc0\xaf fox";  // overlong encoding
    QVERIFY_EXCEPTION_THROWN(validate_story(s), Error);
  }

  void fileErrorsNameTheFile() {
    QTemporaryDir dir;
    const std::string broken = dir.filePath("broken.json").toStdString();
    write_file_atomically(broken, "{\"identity\": \"a fox\",\n \"frames\": [\"x\",]}");
    try {
      read_story_file(broken);
      QFAIL("accepted broken JSON");
    } catch (const Error& e) {
      QCOMPARE(e.file(), broken);
      // The parse position: the ']' after the trailing comma.
      QCOMPARE(e.location(), std::string("line 2, column 17"));
    }

    const std::string bad_utf8 = dir.filePath("bad.json").toStdString();
    write_file_atomically(bad_utf8, "{\"identity\": \"a \xfe fox\", \"frames\": [\"x\"]}");
    try {
      read_story_file(bad_utf8);
      QFAIL("accepted invalid UTF-8");
    } catch (const Error& e) {
      QCOMPARE(e.file(), bad_utf8);
      QCOMPARE(e.location(), std::string("line 1, column 17"));  // the 0xfe byte
    }

    const std::string bad_field = dir.filePath("field.json").toStdString();
    write_file_atomically(bad_field, with("/window/size", 0).dump());
    try {
      read_story_file(bad_field);
      QFAIL("accepted window size 0");
    } catch (const Error& e) {
      QCOMPARE(e.file(), bad_field);
      QCOMPARE(e.location(), std::string("window.size"));
    }
    QVERIFY_EXCEPTION_THROWN(read_story_file(dir.filePath("missing.json").toStdString()), Error);
  }

  void writeRefusesInvalidSpec() {
    QTemporaryDir dir;
    StorySpec s = story_from_json(minimal());
    s.steps = 0;
    const std::string path = dir.filePath("story.json").toStdString();
    QVERIFY_EXCEPTION_THROWN(write_story_file(path, s), Error);
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
  }
};

QTEST_APPLESS_MAIN(TestStorySpec)
#include "test_story_spec.moc"
