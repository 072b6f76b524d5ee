// Singular-value reweighting (DESIGN 4.3): the reweighted block's singular values follow
// beta * s * exp(-alpha * s), P0 and SOT rows never change, alpha 0 / beta 1 is the identity,
// the per-frame procedure is the suppress calls in window order then the enhance call, and the
// svr-eot, npr and off variants do exactly what they promise.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <cmath>
#include <vector>

#include "core/story/svr.h"

using namespace storyscope;

namespace {

constexpr std::int64_t kT = 77, kD = 48;

// A frame prompt laid out by hand: SOT, P0 = 1..4, window frames 5..8 | 9..11 (the frame) | 12..15,
// EOS at 16 and padding to 76.
ConsolidatedPrompt layout() {
  ConsolidatedPrompt p;
  p.frame = 1;
  p.window = {0, 1, 2};
  p.identity = {1, 4};
  p.frames = {{5, 8}, {9, 11}, {12, 15}};
  p.express = p.frames[1];
  p.suppress = {p.frames[0], p.frames[2]};
  for (std::int64_t i = 16; i < kT; ++i) p.eot.push_back(i);
  return p;
}

at::Tensor embedding(at::ScalarType dtype, std::uint64_t seed = 7) {
  at::manual_seed(seed);
  // Scaled so alpha * s is far from 0: the reweighting is visible.
  return (at::randn({kT, kD}, at::kDouble) * 4.0).to(dtype);
}

std::vector<std::int64_t> block_rows(const TokenRange& span, const std::vector<std::int64_t>& eot) {
  std::vector<std::int64_t> rows;
  for (std::int64_t i = span.first; i <= span.last; ++i) rows.push_back(i);
  rows.insert(rows.end(), eot.begin(), eot.end());
  return rows;
}

at::Tensor rows_of(const at::Tensor& e, const std::vector<std::int64_t>& rows) {
  return e.index_select(0, at::tensor(rows, at::kLong)).to(at::kDouble);
}

// Singular values in descending order.
at::Tensor singular_values(const at::Tensor& x) { return std::get<1>(at::linalg_svd(x, false)); }

at::Tensor formula(const at::Tensor& s, const SvrWeights& w) { return w.beta * s * at::exp(-w.alpha * s); }

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

at::Tensor prefix_rows(const at::Tensor& e, std::int64_t n) { return e.narrow(0, 0, n); }

}  // namespace

class TestSvr : public QObject {
  Q_OBJECT

 private slots:
  void singularValuesFollowTheFormula() {
    const ConsolidatedPrompt p = layout();
    const at::Tensor e = embedding(at::kDouble);
    for (const SvrWeights w : {SvrWeights{0.01, 0.05}, SvrWeights{-0.01, 1.0}, SvrWeights{0.2, 1.5}}) {
      for (const TokenRange& span : {p.express, p.suppress[0]}) {
        const auto rows = block_rows(span, p.eot);
        const at::Tensor out = reweight_phrase(e, span, p.eot, w);
        const at::Tensor s = singular_values(rows_of(e, rows).t());
        const at::Tensor expected = std::get<0>(at::sort(formula(s, w), 0, /*descending=*/true));
        const at::Tensor got = singular_values(rows_of(out, rows).t());
        QVERIFY2(max_diff(got, expected) < 1e-10 * expected.max().item<double>(), "singular values");
        // Same singular vectors: X' = U diag(s') V^T with the original U, V.
        auto [u, s0, vh] = at::linalg_svd(rows_of(e, rows).t(), false);
        const at::Tensor rebuilt = at::matmul(u * formula(s0, w).unsqueeze(0), vh);
        QVERIFY(max_diff(rows_of(out, rows).t(), rebuilt) < 1e-12 * rebuilt.abs().max().item<double>());
        // Every other row is untouched.
        std::vector<std::int64_t> rest;
        for (std::int64_t i = 0; i < kT; ++i)
          if (std::find(rows.begin(), rows.end(), i) == rows.end()) rest.push_back(i);
        QVERIFY(at::equal(rows_of(out, rest), rows_of(e, rest)));
      }
    }
    // The reweighting changes the block (so the checks above are not vacuous).
    QVERIFY(max_diff(reweight_phrase(e, p.express, p.eot, {0.01, 0.05}), e) > 1.0);
  }

  void identityAndSotRowsAreBitExact() {
    const ConsolidatedPrompt p = layout();
    for (at::ScalarType dtype : {at::kFloat, at::kHalf, at::kDouble}) {
      const at::Tensor e = embedding(dtype);
      for (SvrMode mode : {SvrMode::Svr, SvrMode::SvrEot, SvrMode::Npr}) {
        const at::Tensor out = apply_svr(e, p, mode, {-0.01, 1.0}, {0.01, 0.05});
        QCOMPARE(out.scalar_type(), dtype);
        QVERIFY(at::equal(prefix_rows(out, p.identity.last + 1), prefix_rows(e, p.identity.last + 1)));
        QVERIFY(!at::equal(out, e));
      }
    }
    // [1, T, D] comes back as [1, T, D].
    const at::Tensor batched = embedding(at::kFloat).unsqueeze(0);
    const at::Tensor out = apply_svr(batched, p, SvrMode::Svr, {-0.01, 1.0}, {0.01, 0.05});
    QCOMPARE(out.sizes().vec(), batched.sizes().vec());
    QVERIFY(at::equal(out[0].narrow(0, 0, 5), batched[0].narrow(0, 0, 5)));
  }

  void alphaZeroBetaOneIsTheIdentity() {
    const ConsolidatedPrompt p = layout();
    const at::Tensor e = embedding(at::kFloat);
    const SvrWeights identity{0.0, 1.0};
    const at::Tensor one = reweight_phrase(e, p.express, p.eot, identity);
    // U S V^T in float64 rounded back to float32: within a few float32 ulps of the input.
    const double ulp = std::ldexp(1.0, -23) * e.abs().max().item<double>();
    QVERIFY2(max_diff(one, e) <= 2 * ulp, std::to_string(max_diff(one, e)).c_str());
    const at::Tensor all = apply_svr(e, p, SvrMode::Svr, identity, identity);
    QVERIFY2(max_diff(all, e) <= 2 * ulp, std::to_string(max_diff(all, e)).c_str());
  }

  void svrIsSuppressInWindowOrderThenEnhance() {
    const ConsolidatedPrompt p = layout();
    const SvrWeights enhance{-0.01, 1.0}, suppress{0.01, 0.05};
    const at::Tensor e = embedding(at::kDouble);
    at::Tensor manual = reweight_phrase(e, p.suppress[0], p.eot, suppress);
    manual = reweight_phrase(manual, p.suppress[1], p.eot, suppress);
    manual = reweight_phrase(manual, p.express, p.eot, enhance);
    const at::Tensor got = apply_svr(e, p, SvrMode::Svr, enhance, suppress);
    QVERIFY(max_diff(got, manual) <= 1e-12 * e.abs().max().item<double>());

    // The order matters (the calls share the EOT rows), so the check above pins the order.
    at::Tensor reversed = reweight_phrase(e, p.suppress[1], p.eot, suppress);
    reversed = reweight_phrase(reversed, p.suppress[0], p.eot, suppress);
    reversed = reweight_phrase(reversed, p.express, p.eot, enhance);
    QVERIFY(max_diff(got, reversed) > 1e-3);

    // float32 input: the same chain computed in float64 and rounded once.
    const at::Tensor e32 = e.to(at::kFloat);
    at::Tensor chain = e32.to(at::kDouble);
    chain = reweight_phrase(chain, p.suppress[0], p.eot, suppress);
    chain = reweight_phrase(chain, p.suppress[1], p.eot, suppress);
    chain = reweight_phrase(chain, p.express, p.eot, enhance);
    QVERIFY(at::equal(apply_svr(e32, p, SvrMode::Svr, enhance, suppress), chain.to(at::kFloat)));
  }

  void svrEotScalesEotAndLeavesItOutOfTheSvd() {
    const ConsolidatedPrompt p = layout();
    const SvrWeights enhance{-0.01, 1.0}, suppress{0.01, 0.05};
    const at::Tensor e = embedding(at::kDouble);
    const at::Tensor out = apply_svr(e, p, SvrMode::SvrEot, enhance, suppress);
    const double calls = static_cast<double>(p.suppress.size() + 1);
    const at::Tensor eot_expected = rows_of(e, p.eot) * std::pow(0.9, calls);
    QVERIFY(max_diff(rows_of(out, p.eot), eot_expected) < 1e-12 * eot_expected.abs().max().item<double>());
    // The frame's own block is decomposed without EOT: its singular values follow the formula.
    const auto span_rows = block_rows(p.express, {});
    const at::Tensor s = singular_values(rows_of(e, span_rows).t());
    const at::Tensor got = singular_values(rows_of(out, span_rows).t());
    const at::Tensor expected = std::get<0>(at::sort(formula(s, enhance), 0, true));
    QVERIFY(max_diff(got, expected) < 1e-10 * expected.max().item<double>());
    // Single call: eot rows x0.9 exactly as asked, span via SVD without eot.
    const at::Tensor one = reweight_phrase(e, p.express, p.eot, suppress, /*include_eot=*/false, 0.9);
    QVERIFY(max_diff(rows_of(one, p.eot), rows_of(e, p.eot) * 0.9) < 1e-14 * e.abs().max().item<double>());
    const at::Tensor no_scale = reweight_phrase(e, p.express, p.eot, suppress, false, 1.0);
    QVERIFY(at::equal(rows_of(no_scale, p.eot), rows_of(e, p.eot)));
  }

  void nprScalesExactly() {
    const ConsolidatedPrompt p = layout();
    const at::Tensor e = embedding(at::kFloat);
    const at::Tensor out = apply_svr(e, p, SvrMode::Npr, {-0.01, 1.0}, {0.01, 0.05});
    const auto express = block_rows(p.express, {});
    QVERIFY(at::equal(rows_of(out, express), rows_of(e, express) * 2.0));
    for (const TokenRange& r : p.suppress) {
      const auto rows = block_rows(r, {});
      QVERIFY(at::equal(rows_of(out, rows), rows_of(e, rows) * 0.5));
    }
    QVERIFY(at::equal(rows_of(out, p.eot), rows_of(e, p.eot)));
    QVERIFY(at::equal(prefix_rows(out, 5), prefix_rows(e, 5)));
  }

  void offIsTheIdentity() {
    const ConsolidatedPrompt p = layout();
    const at::Tensor e = embedding(at::kFloat);
    QVERIFY(at::equal(apply_svr(e, p, SvrMode::Off, {-0.01, 1.0}, {0.01, 0.05}), e));
  }
};

QTEST_APPLESS_MAIN(TestSvr)
#include "test_svr.moc"
