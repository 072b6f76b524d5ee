// CLIP tokenizer parity with transformers' slow CLIPTokenizer (no ftfy) on the reference prompts,
// plus the things a user can throw at it: broken UTF-8, huge prompts, broken vocabulary files.
#include <QtTest/QtTest>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/unicode.h"
#include "fixtures.h"

using namespace storyscope;
using json = nlohmann::json;
using Ids = std::vector<std::int64_t>;

namespace {

std::string ids_str(const Ids& ids) { return json(ids).dump(); }

json load_cases() { return json::parse(read_file(testing::fixture("tokenizer_cases.json"))); }

std::string temp_path(const std::string& name) { return QDir::tempPath().toStdString() + "/ss_tok_" + name; }

// Runs `f`, expects storyscope::Error, and returns its message.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

class TestClipTokenizer : public QObject {
  Q_OBJECT
  ClipTokenizer sd15_ = ClipTokenizer::from_folder(testing::fixture("clip_tokenizer"));
  json cases_ = load_cases();

  // The SD2.x / SDXL tokenizer_2 setup: same vocabulary, pad_token "!".
  ClipTokenizer sd2() const {
    ClipTokenizerOptions o;
    o.pad_token = "!";
    return ClipTokenizer::from_files(testing::fixture("clip_tokenizer/vocab.json"),
                                     testing::fixture("clip_tokenizer/merges.txt"), o);
  }

  // Compares every case and reports all mismatches at once.
  template <class Fn>
  void compare_all(const char* field, Fn&& fn, bool optional_field = false) {
    int checked = 0, failed = 0;
    for (std::size_t i = 0; i < cases_.size(); ++i) {
      const json& c = cases_[i];
      if (!c.contains(field)) {
        QVERIFY2(optional_field, field);
        continue;
      }
      const Ids expected = c[field].get<Ids>();
      const Ids got = fn(c["text"].get<std::string>());
      ++checked;
      if (got != expected) {
        ++failed;
        qWarning("case %zu %s: %s\n  expected %s\n  got      %s", i, field, c["text"].dump().c_str(),
                 ids_str(expected).c_str(), ids_str(got).c_str());
      }
    }
    qInfo("%s: %d of %d cases match", field, checked - failed, checked);
    QCOMPARE(failed, 0);
    QVERIFY(checked > 0);
  }

 private slots:
  void folderConfig() {
    QCOMPARE(cases_.size(), std::size_t(42));
    QCOMPARE(sd15_.bos_id(), std::int64_t(49406));
    QCOMPARE(sd15_.eos_id(), std::int64_t(49407));
    QCOMPARE(sd15_.pad_id(), std::int64_t(49407));
    QCOMPARE(sd15_.model_max_length(), 77);
    QCOMPARE(sd15_.vocab_size(), std::size_t(49408));
    QCOMPARE(sd15_.token_of(320), std::string("a</w>"));
    const ClipTokenizer xl2 =
        ClipTokenizer::from_folder(testing::fixture("e2e/tiny_sdxl_pipeline/tokenizer_2"));
    QCOMPARE(xl2.pad_id(), std::int64_t(0));
    QCOMPARE(xl2.encode("wow!!!").ids.size(), std::size_t(2 + 3 + xl2.encode("wow").ids.size() - 2));
    const Ids padded = xl2.encode_padded("wow!", 8);
    QCOMPARE(padded.size(), std::size_t(8));
    QCOMPARE(padded.back(), std::int64_t(0));
    const ClipTokenizer xl1 =
        ClipTokenizer::from_folder(testing::fixture("e2e/tiny_sdxl_pipeline/tokenizer"));
    QCOMPARE(xl1.pad_id(), xl1.eos_id());
    QCOMPARE(xl1.eos_id(), std::int64_t(999));
  }

  void ids() {
    compare_all("ids", [&](const std::string& t) { return sd15_.encode(t).ids; });
  }
  void ids77EosPad() {
    compare_all("ids_77_eos_pad", [&](const std::string& t) { return sd15_.encode_padded(t, 77); });
  }
  void idsSd2() {
    const ClipTokenizer tok = sd2();
    QCOMPARE(tok.pad_id(), std::int64_t(0));
    compare_all("ids_sd2_77_pad0", [&](const std::string& t) { return tok.encode_padded(t, 77); });
    compare_all(
        "ids_sd2", [&](const std::string& t) { return tok.encode(t).ids; }, true);
    QCOMPARE(tok.encode("wow!!!").ids, (Ids{49406, 2781, 0, 0, 0, 49407}));
  }
  void sd2FromFolderMatchesProgrammatic() {
    // tokenizer_2 of the tiny SDXL pipeline declares pad "!" in both json files; the full-vocab
    // copy here proves the folder path reads it the same way.
    const std::string dir = temp_path("sd2_folder");
    QDir().mkpath(QString::fromStdString(dir));
    write_file_atomically(dir + "/vocab.json", read_file(testing::fixture("clip_tokenizer/vocab.json")));
    write_file_atomically(dir + "/merges.txt", read_file(testing::fixture("clip_tokenizer/merges.txt")));
    const std::string tiny = testing::fixture("e2e/tiny_sdxl_pipeline/tokenizer_2");
    write_file_atomically(dir + "/special_tokens_map.json", read_file(tiny + "/special_tokens_map.json"));
    json cfg = json::parse(read_file(tiny + "/tokenizer_config.json"));
    cfg.erase("added_tokens_decoder");                             // its ids belong to the tiny vocabulary
    cfg["pad_token"] = json{{"content", "!"}, {"special", true}};  // the object form
    write_file_atomically(dir + "/tokenizer_config.json", cfg.dump());
    const ClipTokenizer a = ClipTokenizer::from_folder(dir), b = sd2();
    QCOMPARE(a.pad_id(), std::int64_t(0));
    for (const json& c : cases_) {
      const std::string t = c["text"].get<std::string>();
      QCOMPARE(a.encode_padded(t), b.encode_padded(t));
    }
  }

  void literalSpecialTokens() {
    QCOMPARE(sd15_.encode("<|startoftext|>").ids, (Ids{49406, 49406, 49407}));
    QCOMPARE(sd15_.encode("x<|endoftext|>y").ids,
             (Ids{49406, sd15_.encode("x").ids[1], 49407, sd15_.encode("y").ids[1], 49407}));
    // Split off before clean-up, so punctuation next to it does not swallow it.
    QCOMPARE(sd15_.encode("!!<|endoftext|>").ids[2], std::int64_t(49407));
  }

  void wordSpans() {
    const std::string text = "a red fox playing in the snow";
    const Encoding e = sd15_.encode(text);
    QCOMPARE(e.ids, (Ids{49406, 320, 736, 3240, 1629, 530, 518, 2583, 49407}));
    QCOMPARE(e.tokens.size(), e.ids.size());
    QCOMPARE(e.tokens[3], std::string("fox</w>"));
    const std::vector<std::string> words = {"a", "red", "fox", "playing", "in", "the", "snow"};
    QCOMPARE(e.words.size(), words.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
      at = text.find(words[i], at);
      QCOMPARE(e.words[i].char_begin, at);
      QCOMPARE(e.words[i].char_end, at + words[i].size());
      QCOMPARE(e.words[i].token_begin, static_cast<int>(i + 1));
      QCOMPARE(e.words[i].token_end, static_cast<int>(i + 2));
      at += words[i].size();
    }
  }

  void wordSpansMultiToken() {
    // Words split into several tokens, punctuation words and a literal special token.
    const std::string text = "  Astronaut, riding<|endoftext|>xxxxxxxxxxxx";
    const Encoding e = sd15_.encode(text);
    QVERIFY(!e.words.empty());
    int expect_token = 1;
    for (const TokenSpan& w : e.words) {
      QCOMPARE(w.token_begin, expect_token);
      QVERIFY(w.token_end > w.token_begin);
      QVERIFY(w.char_end <= text.size() && w.char_begin < w.char_end);
      expect_token = w.token_end;
    }
    QCOMPARE(expect_token, static_cast<int>(e.ids.size()) - 1);
    QCOMPARE(text.substr(e.words[0].char_begin, e.words[0].char_end - e.words[0].char_begin),
             std::string("Astronaut"));
    QCOMPARE(text.substr(e.words[1].char_begin, 1), std::string(","));
    QCOMPARE(text.substr(e.words[3].char_begin, e.words[3].char_end - e.words[3].char_begin),
             std::string("<|endoftext|>"));
    QCOMPARE(e.ids[e.words[3].token_begin], std::int64_t(49407));
    QVERIFY(e.words[4].token_end - e.words[4].token_begin > 1);
  }

  void wordSpansNonAscii() {
    // "Cafe" + combining acute composes under NFC; the word still covers all of its input bytes.
    const std::string text = "Cafe\xcc\x81 \xce\x9f\xce\x94\xce\x9f\xce\xa3 \xe7\x8b\x90\xe7\x8b\xb8";
    const Encoding e = sd15_.encode(text);
    QCOMPARE(e.words.size(), std::size_t(4));
    QCOMPARE(e.words[0].char_begin, std::size_t(0));
    QCOMPARE(e.words[0].char_end, std::size_t(6));
    QCOMPARE(e.words[1].char_begin, std::size_t(7));
    QCOMPARE(e.words[1].char_end, std::size_t(15));
    QCOMPARE(e.words[2].char_begin, std::size_t(16));  // each CJK character is its own word
    QCOMPARE(e.words[3].char_end, text.size());
    QCOMPARE(e.ids,
             sd15_.encode("caf\xc3\xa9 \xce\xbf\xce\xb4\xce\xbf\xcf\x82 \xe7\x8b\x90 \xe7\x8b\xb8").ids);
  }

  void unicodeHelpers() {
    QCOMPARE(unicode::nfc(U"e\u0301"), std::u32string(U"\u00e9"));
    QCOMPARE(unicode::nfc(U"\u1100\u1161\u11a8"), std::u32string(U"\uac01"));
    QCOMPARE(unicode::nfc(U"a\u0323\u0307\u0301"), unicode::nfc(U"a\u0307\u0323\u0301"));
    QCOMPARE(unicode::to_lower(U"\u039f\u0394\u039f\u03a3 \u03a3"),
             std::u32string(U"\u03bf\u03b4\u03bf\u03c2 \u03c3"));
    QCOMPARE(unicode::to_lower(U"\u0130"), std::u32string(U"i\u0307"));
    QCOMPARE(unicode::to_lower(U"\uff21\u00c9"), std::u32string(U"\uff41\u00e9"));
    QVERIFY(unicode::char_class(U'\u4e00') == unicode::CharClass::Letter);
    QVERIFY(unicode::char_class(U'\u0663') == unicode::CharClass::Number);
    QVERIFY(unicode::char_class(U'\u200b') == unicode::CharClass::Control);
  }

  void decodeRoundTrip() {
    QCOMPARE(sd15_.decode(sd15_.encode("a red fox, playing in the snow").ids),
             std::string("a red fox , playing in the snow"));
    QCOMPARE(sd15_.decode(sd15_.encode("caf\xc3\xa9 \xf0\x9f\xa6\x8a").ids),
             std::string("caf\xc3\xa9 \xf0\x9f\xa6\x8a"));
    QVERIFY(error_of([&] { sd15_.decode({49406, 99999999}); }).find("99999999") != std::string::npos);
  }

  void paddingEdges() {
    const Ids ids = sd15_.encode_padded("a red fox", 4);
    QCOMPARE(ids, (Ids{49406, 320, 736, 49407}));
    QVERIFY(error_of([&] { sd15_.encode_padded("a", 1); }).find("max_length") != std::string::npos);
    QCOMPARE(sd15_.encode("").ids, (Ids{49406, 49407}));
    QCOMPARE(sd15_.encode(" \t\n ").ids, (Ids{49406, 49407}));
  }

  void invalidUtf8NeverThrows() {
    // Bad bytes become U+FFFD, which the clean-up drops; the valid "(" after a bad lead byte stays.
    const std::string bad = "a \xff\xfe red \xc3\x28 fox \xed\xa0\x80 \xf0\x9f\xa6";
    QCOMPARE(sd15_.encode(bad).ids, sd15_.encode("a red ( fox").ids);
    const Encoding e = sd15_.encode(std::string("\x80\x80\x80", 3));
    QCOMPARE(e.ids, (Ids{49406, 49407}));
    QVERIFY(e.words.empty());
  }

  void hugeInputs() {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    const std::string one_word(1 << 20, 'x');
    const Encoding a = sd15_.encode(one_word);
    QVERIFY(a.ids.size() > 2 && a.ids.size() < one_word.size());
    QCOMPARE(a.words.size(), std::size_t(1));
    QCOMPARE(a.words[0].char_end, one_word.size());
    std::string mixed;
    const std::string piece = "a red fox \xe7\x8b\x90 caf\xc3\xa9 !!! 123 \xff ";
    while (mixed.size() < (1u << 20)) mixed += piece;
    QVERIFY(sd15_.encode(mixed).ids.size() > mixed.size() / piece.size());
    QCOMPARE(sd15_.encode_padded(mixed).size(), std::size_t(77));
    const ClipTokenizer tok2 = sd2();
    QCOMPARE(tok2.encode(std::string(1 << 20, '!')).ids.size(), std::size_t((1 << 20) + 2));
    std::string marks = "a";  // a megabyte of combining marks stresses NFC reordering
    while (marks.size() < (1u << 20)) marks += "\xcc\x81\xcc\xa3";
    QVERIFY(sd15_.encode(marks).ids.size() > 2);
    const double seconds = std::chrono::duration<double>(clock::now() - t0).count();
    qInfo("4 MB of prompts tokenized in %.2f s", seconds);
    QVERIFY2(seconds < 60, "tokenizer is too slow on long input");
  }

  void corruptFilesAreNamed() {
    const std::string vocab = testing::fixture("clip_tokenizer/vocab.json");
    const std::string merges = testing::fixture("clip_tokenizer/merges.txt");
    struct Bad {
      std::string name, contents, expect;
      bool is_vocab;
    };
    const Bad cases[] = {
        {"vocab_truncated.json", "{\"a\": 1, ", "not valid JSON", true},
        {"vocab_array.json", "[1, 2]", "object", true},
        {"vocab_string_id.json", "{\"a</w>\": \"1\"}", "\"a</w>\"", true},
        {"vocab_negative.json", "{\"a\": -5}", "out of range", true},
        {"merges_three.txt", "#version: 0.2\ni n\nt h e\n", "line 3", false},
        {"merges_one.txt", "#version: 0.2\ni n\nx\n", "line 3", false},
        {"merges_empty.txt", "#version: 0.2\n", "no merges", false},
    };
    for (const Bad& b : cases) {
      const std::string path = temp_path(b.name);
      write_file_atomically(path, b.contents);
      const std::string msg =
          error_of([&] { ClipTokenizer::from_files(b.is_vocab ? path : vocab, b.is_vocab ? merges : path); });
      QVERIFY2(msg.find(path) != std::string::npos && msg.find(b.expect) != std::string::npos, msg.c_str());
    }
    const std::string missing = temp_path("does_not_exist.json");
    const std::string msg = error_of([&] { ClipTokenizer::from_files(missing, merges); });
    QVERIFY2(msg.find(missing) != std::string::npos, msg.c_str());
    const std::string dir_msg = error_of([&] { ClipTokenizer::from_folder(temp_path("no_such_dir")); });
    QVERIFY2(dir_msg.find("vocab.json") != std::string::npos, dir_msg.c_str());
    // A config whose pad_token is neither a string nor {"content": ...}.
    const std::string dir = temp_path("bad_cfg");
    QDir().mkpath(QString::fromStdString(dir));
    write_file_atomically(dir + "/vocab.json",
                          read_file(testing::fixture("e2e/tiny_sd15_pipeline/tokenizer/vocab.json")));
    write_file_atomically(dir + "/merges.txt",
                          read_file(testing::fixture("e2e/tiny_sd15_pipeline/tokenizer/merges.txt")));
    write_file_atomically(dir + "/tokenizer_config.json", std::string("{\"pad_token\": 5}"));
    const std::string cfg_msg = error_of([&] { ClipTokenizer::from_folder(dir); });
    QVERIFY2(cfg_msg.find("tokenizer_config.json") != std::string::npos &&
                 cfg_msg.find("pad_token") != std::string::npos,
             cfg_msg.c_str());
  }
};

QTEST_APPLESS_MAIN(TestClipTokenizer)
#include "test_clip_tokenizer.moc"
