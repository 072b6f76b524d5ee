// The attention kernel: the cache-blocked CPU path and the batched (autograd) path must both
// equal plain softmax(Q K^T * scale) V, for sizes that do not divide the block.
#include <ATen/ATen.h>

#include <QtTest/QtTest>

#include "core/attention/processor.h"
#include "fixtures.h"

using namespace storyscope;

namespace {
at::Tensor reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
  auto qd = q.to(at::kDouble), kd = k.to(at::kDouble), vd = v.to(at::kDouble);
  return at::matmul(at::softmax(at::matmul(qd, kd.transpose(-1, -2)) * scale, -1), vd);
}
}  // namespace

class TestAttentionKernel : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { at::manual_seed(7); }
  void blockedMatchesPlainSoftmax_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("m");
    QTest::newRow("self 4096 (many blocks)") << 4096 << 4096;
    QTest::newRow("odd self 1000x1000") << 1000 << 1000;
    QTest::newRow("cross 1024x77") << 1024 << 77;
    QTest::newRow("one query") << 1 << 77;
  }
  void blockedMatchesPlainSoftmax() {
    QFETCH(int, n);
    QFETCH(int, m);
    const double scale = 1.0 / std::sqrt(40.0);
    auto q = at::randn({2, 3, n, 40}), k = at::randn({2, 3, m, 40}), v = at::randn({2, 3, m, 24});
    at::NoGradGuard no_grad;
    const double diff = testing::max_abs_diff(attention_kernel(q, k, v, scale), reference(q, k, v, scale));
    qInfo("max abs diff %.3g", diff);
    QVERIFY(diff < 1e-5);
  }
  void gradientPathMatchesAndBackpropagates() {
    auto q = at::randn({1, 2, 300, 16}).requires_grad_(), k = at::randn({1, 2, 50, 16}),
         v = at::randn({1, 2, 50, 16});
    auto out = attention_kernel(q, k, v, 0.25, /*query_chunk=*/64);
    QVERIFY(testing::max_abs_diff(out.detach(), reference(q.detach(), k, v, 0.25)) < 1e-5);
    out.sum().backward();
    QVERIFY(q.grad().defined());
    QVERIFY(q.grad().abs().sum().item<double>() > 0);
  }
};

QTEST_APPLESS_MAIN(TestAttentionKernel)
#include "test_attention_kernel.moc"
