// The safetensors reader/writer: round trips, the reference fixtures, and every corruption rule.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <cstring>
#include <fstream>

#include "core/common/error.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;

namespace {
std::vector<std::uint8_t> with_header(const std::string& header, std::size_t data_bytes,
                                      std::uint64_t len_override = 0, bool override_len = false) {
  std::vector<std::uint8_t> out(8);
  std::uint64_t n = override_len ? len_override : header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(n >> (8 * i));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data_bytes, 0);
  return out;
}

// Expects an Error whose message mentions every one of `words`.
void expect_error(const std::vector<std::uint8_t>& bytes, const std::vector<std::string>& words) {
  try {
    SafetensorsFile::from_bytes(bytes, "case.safetensors");
    QFAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find("case.safetensors") != std::string::npos, msg.c_str());
    for (const auto& w : words) QVERIFY2(msg.find(w) != std::string::npos, (w + " not in: " + msg).c_str());
  }
}

std::string temp_path(const char* name) { return QDir::tempPath().toStdString() + "/storyscope_" + name; }
}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
 private slots:
  void roundTripEveryTorchDtype() {
    std::vector<std::pair<std::string, at::Tensor>> tensors = {
        {"f32", at::arange(12, at::kFloat).view({3, 4})},
        {"f16", at::arange(5, at::kHalf)},
        {"bf16", at::arange(6, at::kBFloat16).view({2, 3})},
        {"f64", at::arange(2, at::kDouble)},
        {"i64", at::arange(7, at::kLong)},
        {"i32", at::arange(3, at::kInt)},
        {"i16", at::arange(3, at::kShort)},
        {"i8", at::arange(3, at::kChar)},
        {"u8", at::arange(3, at::kByte)},
        {"bool", at::arange(3, at::kLong).remainder(2).to(at::kBool)},
        {"empty", at::empty({0, 3}, at::kFloat)},
        {"scalar", at::scalar_tensor(3.5, at::kFloat)},
    };
    const auto path = temp_path("roundtrip.safetensors");
    write_safetensors(path, tensors, {{"format", "pt"}, {"note", "ünïcode"}});
    auto file = SafetensorsFile::open(path);
    QCOMPARE(file->entries().size(), tensors.size());
    QCOMPARE(file->metadata().at("note"), std::string("ünïcode"));
    for (const auto& [name, t] : tensors) {
      auto got = file->tensor(name);
      QCOMPARE(got.scalar_type(), t.scalar_type());
      QCOMPARE(got.sizes().vec(), t.sizes().vec());
      QVERIFY2(at::equal(got, t), name.c_str());
    }
    // Zero copy: the same tensor read twice shares the mapped bytes.
    QCOMPARE(file->tensor("f32").data_ptr(), file->tensor("f32").data_ptr());
    // Writing to a view never changes the file (private mapping).
    file->tensor("f32").fill_(-1);
    QVERIFY(at::equal(SafetensorsFile::open(path)->tensor("f32"), tensors[0].second));
  }

  void tensorsOutliveTheFileObject() {
    const auto path = temp_path("outlive.safetensors");
    write_safetensors(path, {{"w", at::ones({1000})}});
    at::Tensor t;
    {
      auto file = SafetensorsFile::open(path);
      t = file->tensor("w");
    }
    QCOMPARE(t.sum().item<float>(), 1000.0f);
  }

  void writerLayoutIsStrict() {
    auto bytes = safetensors_bytes({{"b", at::ones({3}, at::kHalf)}, {"a", at::ones({2}, at::kDouble)}});
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
    QCOMPARE(n % 8, std::uint64_t(0));
    QCOMPARE(bytes.size(), 8 + n + 2 * 8 + 3 * 2);
    auto f = SafetensorsFile::from_bytes(bytes, "mem");
    QCOMPARE(f->entries().front().name, std::string("a"));  // 8-byte dtype first, like the reference
  }

  void readsReferenceFixtures() {
    auto file = SafetensorsFile::open(testing::fixture("tiny_vae/diffusion_pytorch_model.safetensors"));
    QVERIFY(file->entries().size() > 10);
    QVERIFY(file->contains("decoder.conv_out.weight"));
    auto sched = SafetensorsFile::open(testing::fixture("schedulers.safetensors"));
    QVERIFY(!sched->entries().empty());
    for (const auto& e : sched->entries()) {
      auto t = sched->tensor(e.name);
      QCOMPARE(t.numel(), e.numel());
      QCOMPARE(t.sizes().vec(), e.shape);
    }
  }

  void rejectsEmptyFile() { expect_error({}, {"empty file"}); }
  void rejectsShortFile() { expect_error({1, 2, 3}, {"shorter than the 8-byte"}); }
  void rejectsHugeHeaderLength() {
    expect_error(with_header("{}", 0, 1ull << 63, true), {"exceeds the limit"});
    expect_error(with_header("{}", 0, 100'000'001, true), {"exceeds the limit"});
  }
  void rejectsHeaderPastEnd() { expect_error(with_header("{}", 0, 4096, true), {"past the end"}); }
  void rejectsNonObjectJson() {
    expect_error(with_header("[1,2,3] ", 0), {"must start with '{'"});
    expect_error(with_header("{\"a\": ", 0), {"invalid JSON"});
  }
  void rejectsInvalidUtf8() { expect_error(with_header("{\"\xff\": 1}", 0), {"not valid UTF-8"}); }
  void rejectsDuplicateKeys() {
    expect_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                             R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                             8),
                 {"duplicate key", "\"a\""});
  }
  void rejectsBadMetadata() {
    expect_error(with_header(R"({"__metadata__":{"k":1}})", 0), {"metadata values must be strings"});
    expect_error(with_header(R"({"__metadata__":[1]})", 0), {"__metadata__"});
  }
  void rejectsUnknownDtype() {
    expect_error(with_header(R"({"t":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}})", 1),
                 {"tensor \"t\"", "unknown dtype"});
  }
  void rejectsWrongDtypeSize() {
    expect_error(with_header(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,6]}})", 6),
                 {"tensor \"t\"", "need 12"});
  }
  void rejectsOverlappingOffsets() {
    expect_error(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                             12),
                 {"tensor \"b\"", "overlaps"});
  }
  void rejectsHoles() {
    expect_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), {"hole"});
  }
  void rejectsElementCountOverflow() {
    expect_error(
        with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0),
        {"overflows"});
    expect_error(with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", 0),
                 {"non-negative"});
  }
  void rejectsDataNotEndingAtEof() {
    expect_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 5),
                 {"cover 4 bytes"});
  }
  void rejectsTruncatedFile() {
    auto bytes = safetensors_bytes({{"w", at::ones({16})}});
    bytes.resize(bytes.size() - 3);
    expect_error(bytes, {"tensors cover"});
  }
  void listsDtypesTorchLacks() {
    auto f = SafetensorsFile::from_bytes(
        with_header(R"({"u":{"dtype":"F8_E8M0","shape":[2],"data_offsets":[0,2]}})", 2), "m");
    QCOMPARE(f->unsupported_tensors(), std::vector<std::string>{"u"});
    QVERIFY_EXCEPTION_THROWN(f->tensor("u"), Error);
  }
  void missingFileNamesIt() {
    try {
      SafetensorsFile::open("/nonexistent/x.safetensors");
      QFAIL("expected error");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("/nonexistent/x.safetensors") != std::string::npos);
    }
  }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
