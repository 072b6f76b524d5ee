// One error shape for broken JSON from every reader: file, line and column, nlohmann's reason;
// 1e999 (nlohmann's out_of_range, not a parse error) is caught too.
#include <QtTest/QtTest>

#include "core/common/error.h"
#include "core/common/json_text.h"

using namespace storyscope;

namespace {

Error error_of(const std::string& text, const std::string& context = "") {
  try {
    parse_json_text(text, "f.json", context);
  } catch (const Error& e) {
    return e;
  }
  throw std::runtime_error("parsed: " + text);
}

}  // namespace

class TestJsonText : public QObject {
  Q_OBJECT

 private slots:
  void positionsCountFromOne() {
    QCOMPARE(text_position("ab\ncd", 0), std::string("line 1, column 1"));
    QCOMPARE(text_position("ab\ncd", 4), std::string("line 2, column 2"));
    QCOMPARE(text_position("ab", 99), std::string("line 1, column 3"));  // clamped to the end
  }

  void parsesValidText() { QCOMPARE(parse_json_text("{\"a\": [1, 2]}", "f.json").at("a").size(), 2u); }

  void brokenSyntaxNamesLineAndColumn() {
    const Error e = error_of("{\"a\": 1,\n \"b\": ]}");
    QCOMPARE(e.kind(), ErrorKind::BadInput);
    QCOMPARE(e.file(), std::string("f.json"));
    QCOMPARE(e.location(), std::string("line 2, column 7"));  // the ']'
    QVERIFY2(std::string(e.what()).find("not valid JSON") != std::string::npos, e.what());
    QCOMPARE(error_of("", "chunk").location(), std::string("chunk, line 1, column 1"));
  }

  void hugeNumbersAreBadInputToo() {
    const Error e = error_of("{\"a\": 1e999}", "chunk");
    QCOMPARE(e.kind(), ErrorKind::BadInput);
    QCOMPARE(e.location(), std::string("chunk, a number"));
  }
};

QTEST_APPLESS_MAIN(TestJsonText)
#include "test_json_text.moc"
