// The splitmix rule must be bit-exact with the fixtures README's worked example and with the
// reference tiny UNet weights, key by key.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <cstring>

#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "fixtures.h"

using namespace storyscope;

namespace {
std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
void expect_floats(const at::Tensor& t, const std::vector<float>& expected, float tol = 5e-8f) {
  auto c = t.flatten();
  for (std::size_t i = 0; i < expected.size(); ++i)
    QVERIFY2(std::fabs(c[i].item<float>() - expected[i]) < tol * std::max(1.0f, std::fabs(expected[i])),
             (std::to_string(i) + ": " + std::to_string(c[i].item<float>())).c_str());
}
}  // namespace

class TestSplitmix : public QObject {
  Q_OBJECT
 private slots:
  void crc32MatchesZlib() {
    QCOMPARE(crc32("a.weight"), 1357826415u);
    QCOMPARE(crc32(""), 0u);
    QCOMPARE(crc32("123456789"), 0xCBF43926u);
  }
  void workedExampleIsBitExact() {
    auto t = splitmix_parameter("a.weight", {2, 3});
    const std::uint32_t expected_bits[] = {0x3db5a350, 0xbf6f6aaa, 0x3f015b04, 0xbf42b1a4};
    for (int i = 0; i < 4; ++i) QCOMPARE(bits(t.flatten()[i].item<float>()), expected_bits[i]);
    expect_floats(t.flatten().slice(0, 4), {0.42257047f, -0.5382905f});
  }
  void ruleKinds() {
    expect_floats(splitmix_parameter("a.bias", {3}), {0.0069865f, -0.00395316f, 0.01683938f});
    expect_floats(splitmix_parameter("norm.weight", {4}), {0.9115244f, 0.9820964f, 0.9464813f});
    expect_floats(splitmix_parameter("text_model.embeddings.token_embedding.weight", {1000, 32}),
                  {0.02463245f, -0.47568023f, 0.3631823f});
    expect_floats(splitmix_parameter("conv_in.weight", {32, 4, 3, 3}),
                  {0.28060016f, -0.24540019f, -0.27126655f});
  }
  void inputsUseSeedName() {
    expect_floats(splitmix_input("sched_x", {1, 4, 8, 8}), {0.0363f, -0.9193f, -0.1455f, -0.8402f}, 1e-4f);
    auto stored = load_safetensors(testing::fixture("tiny_unet.safetensors"));
    QVERIFY(at::equal(splitmix_input("tiny_unet.sample", {2, 4, 32, 32}), stored.at("sample")));
  }
  void tinyUnetWeightsBitExact() {
    auto file = SafetensorsFile::open(testing::fixture("tiny_unet/diffusion_pytorch_model.safetensors"));
    QVERIFY(file->entries().size() > 100);
    for (const auto& e : file->entries()) {
      auto ours = splitmix_parameter(e.name, e.shape);
      QVERIFY2(at::equal(ours, file->tensor(e.name)), e.name.c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestSplitmix)
#include "test_splitmix.moc"
