// Typed config access: defaults for absent/null keys, wrong types named, broken files named.
#include <QtTest/QtTest>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/config/json_fields.h"

using namespace storyscope;
using json = nlohmann::json;

class TestJsonFields : public QObject {
  Q_OBJECT
 private slots:
  void defaultsAndTypes() {
    JsonFields f(json::parse(R"({"a": 3, "b": null, "c": [1,2], "d": "x", "e": 2.0, "unknown": {}})"),
                 "cfg.json");
    QCOMPARE(f.get_int("a", 0), std::int64_t(3));
    QCOMPARE(f.get_int("b", 7), std::int64_t(7));
    QCOMPARE(f.get_int("e", 0), std::int64_t(2));
    QCOMPARE(f.get_int_or_list("a", 3, {}), (std::vector<std::int64_t>{3, 3, 3}));
    QCOMPARE(f.get_int_or_list("c", 2, {}), (std::vector<std::int64_t>{1, 2}));
    QCOMPARE(f.get_string("d", ""), std::string("x"));
    QCOMPARE(f.get_double("missing", 0.5), 0.5);
  }
  void wrongTypeNamesKeyAndFile() {
    JsonFields f(json::parse(R"({"layers": "two", "c": [1,2,3]})"), "unet/config.json");
    try {
      f.get_int("layers", 1);
      QFAIL("expected error");
    } catch (const Error& e) {
      const std::string m = e.what();
      QVERIFY2(m.find("unet/config.json") != std::string::npos && m.find("\"layers\"") != std::string::npos,
               m.c_str());
    }
    QVERIFY_EXCEPTION_THROWN(f.get_int_or_list("c", 2, {}), Error);
  }
  void brokenFiles() {
    const std::string dir = QDir::tempPath().toStdString();
    write_file_atomically(dir + "/ss_broken.json", std::string("{\"a\": "));
    write_file_atomically(dir + "/ss_array.json", std::string("[1]"));
    write_file_atomically(dir + "/ss_utf8.json", std::string("{\"a\": \"\xc3\x28\"}"));
    for (const char* name : {"/ss_broken.json", "/ss_array.json", "/ss_utf8.json", "/ss_missing.json"}) {
      try {
        JsonFields::from_file(dir + name);
        QFAIL(name);
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(name + 1) != std::string::npos, e.what());
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestJsonFields)
#include "test_json_fields.moc"
