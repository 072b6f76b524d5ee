// IPCA (DESIGN 4.4) as an attention modifier: against plain attention when the appended tokens
// are masked, against attention over [K ; K_id[keep]] computed by hand (float64, at::softmax)
// when they are open, once-per-layer identity projections against per-step recomputation,
// unconditional rows untouched, the positions / start-step filter, seeded dropout, the
// AttentionStore seeing the modified probabilities, and every layer of the tiny SD1.5 UNet.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <QtTest/QtTest>
#include <functional>
#include <limits>
#include <map>

#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/attention/ipca.h"
#include "core/common/error.h"
#include "core/config/unet_config.h"
#include "core/models/attention.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "fixtures.h"
#include "unet_testing.h"

using namespace storyscope;
using storyscope::testing::max_abs_diff;
using storyscope::unet_testing::manifest_case;

namespace {

constexpr int kHeads = 4;
constexpr std::int64_t kDimHead = 8, kQueryDim = 32, kContextDim = 24, kContextTokens = 7,
                       kIdentityTokens = 5;
const char* const kDownLayer = "down_blocks.1.attentions.0.transformer_blocks.0.attn2";
const char* const kUpLayer = "up_blocks.0.attentions.1.transformer_blocks.0.attn2";

// A diffusers-named cross-attention module with splitmix weights.
Attention cross_layer(const std::string& name, Place place, int block) {
  AttentionOptions o;
  o.query_dim = kQueryDim;
  o.cross_attention_dim = kContextDim;
  o.heads = kHeads;
  o.dim_head = kDimHead;
  LayerInfo info;
  info.name = name;
  info.place = place;
  info.block_index = block;
  Attention a(o, info);
  fill_splitmix(*a, name + ".");
  return a;
}

at::Tensor hidden_states(std::int64_t batch, std::int64_t side, const std::string& tag = "hidden") {
  return splitmix_input("ipca." + tag, {batch, side * side, kQueryDim}, 2.0);
}

at::Tensor run(Attention& a, const AttentionProcessorPtr& proc, const at::Tensor& hidden,
               const at::Tensor& context, const StepInfo& step) {
  torch::NoGradGuard no_grad;
  a->set_processor(proc);
  const auto side = static_cast<std::int64_t>(std::lround(std::sqrt(double(hidden.size(1)))));
  return a->forward(hidden, context, step, side, side);
}

AttentionProcessorPtr with_modifier(const std::shared_ptr<IpcaModifier>& ipca) {
  auto proc = std::make_shared<ComposableAttentionProcessor>();
  proc->add_modifier(ipca);
  return proc;
}

at::Tensor project(const torch::nn::Linear& l, const at::Tensor& x) {
  at::Tensor y = at::matmul(x.to(at::kDouble), l->weight.to(at::kDouble).t());
  return l->bias.defined() ? y + l->bias.to(at::kDouble) : y;
}

// One batch row by hand in float64: softmax(Q K^T * scale) over the keys of `keys_from` [M', Dctx]
// (the context with the open identity tokens appended). Returns probabilities [heads, N, M'] and
// the module output [N, C].
std::pair<at::Tensor, at::Tensor> by_hand(const Attention& a, const at::Tensor& hidden_row,
                                          const at::Tensor& keys_from) {
  const auto& p = a->projections();
  const auto n = hidden_row.size(0), m = keys_from.size(0);
  const auto q = project(p.to_q, hidden_row).view({n, kHeads, kDimHead}).transpose(0, 1);
  const auto k = project(p.to_k, keys_from).view({m, kHeads, kDimHead}).transpose(0, 1);
  const auto v = project(p.to_v, keys_from).view({m, kHeads, kDimHead}).transpose(0, 1);
  const auto probs = at::softmax(at::matmul(q, k.transpose(1, 2)) * p.scale, -1);
  const auto merged = at::matmul(probs, v).transpose(0, 1).reshape({n, kHeads * kDimHead});
  return {probs, project(p.to_out, merged)};
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(n);
  for (std::int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

at::Tensor rows_of(const at::Tensor& x, const std::vector<std::int64_t>& index) {
  return x.index_select(0, at::tensor(index, at::kLong));
}

// Records the probabilities each call produced, by layer name and step.
class ProbsRecorder : public AttentionObserver {
 public:
  bool wants(const LayerInfo& l) const override { return l.is_cross; }
  void observe(const LayerInfo& l, const StepInfo& s, const at::Tensor& probs) override {
    seen[l.name + "@" + std::to_string(s.index)] = probs.clone();
  }
  std::map<std::string, at::Tensor> seen;
};

std::string bad_input_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind() == ErrorKind::BadInput ? e.what() : std::string("wrong kind: ") + e.what();
  }
  return {};
}

}  // namespace

class TestIpca : public QObject {
  Q_OBJECT
 private slots:
  void maskedAppendedTokensEqualPlainAttention() {
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    const auto hidden = hidden_states(2, 4);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    auto ipca = std::make_shared<IpcaModifier>(IpcaOptions{});
    ipca->set_identity(splitmix_input("ipca.identity", {1, kIdentityTokens, kContextDim}, 2.0), {});
    auto recorder = std::make_shared<ProbsRecorder>();
    auto proc = std::make_shared<ComposableAttentionProcessor>();
    proc->add_modifier(ipca);
    proc->add_observer(recorder);
    const StepInfo step{0, 999.0, {}};
    const auto plain = run(a, DefaultAttentionProcessor::shared(), hidden, context, step);
    const auto ours = run(a, proc, hidden, context, step);
    const double d = max_abs_diff(ours, plain);
    qInfo("keep empty vs plain attention: max abs diff %.3g (tolerance 1e-5)", d);
    QVERIFY(d < 1e-5);
    // It did act: the keys were extended, and the appended columns got no weight at all.
    QCOMPARE(ipca->identity_projections(), std::int64_t(1));
    const auto probs = recorder->seen.at(std::string(kDownLayer) + "@0");
    QCOMPARE(probs.size(3), kContextTokens + kIdentityTokens);
    QCOMPARE(probs.slice(3, kContextTokens).abs().max().item<double>(), 0.0);
  }

  void openMaskEqualsAttentionOverAppendedKeysByHand() {
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    const auto hidden = hidden_states(2, 4);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    const auto other = splitmix_input("ipca.identity", {2, kIdentityTokens, kContextDim}, 2.0);
    const StepInfo step{0, 999.0, {}};  // no cond rows: CFG 1, every row conditional
    const auto plain = run(a, DefaultAttentionProcessor::shared(), hidden, context, step);

    struct Case {
      const char* what;
      at::Tensor identity;
      std::vector<std::int64_t> keep;
    };
    const std::vector<Case> cases = {
        {"identity = context, keep all ([K;K])", context, iota(kContextTokens)},
        {"identity = context, keep {0,2,3}", context, {0, 2, 3}},
        {"other identity, keep {0,1,2}", other, {0, 1, 2}},
        {"other identity, keep {0,4}", other, {0, 4}},
    };
    for (const auto& c : cases) {
      auto ipca = std::make_shared<IpcaModifier>(IpcaOptions{});
      ipca->set_identity(c.identity, c.keep);
      const auto ours = run(a, with_modifier(ipca), hidden, context, step);
      std::vector<at::Tensor> expected;
      for (std::int64_t b = 0; b < 2; ++b)
        expected.push_back(
            by_hand(a, hidden[b], at::cat({context[b], rows_of(c.identity[b], c.keep)})).second);
      const double d = max_abs_diff(ours, at::stack(expected));
      const double moved = max_abs_diff(ours, plain);
      qInfo("%s: vs hand %.3g (tolerance 1e-5), vs plain %.3g", c.what, d, moved);
      QVERIFY2(d < 1e-5, c.what);
    }
    // Duplicating every key/value pair leaves softmax attention unchanged; a partial keep list
    // does not (the kept tokens weigh twice): the hand computation above is not the plain one.
    auto ipca = std::make_shared<IpcaModifier>(IpcaOptions{});
    ipca->set_identity(context, {0, 2, 3});
    QVERIFY(max_abs_diff(run(a, with_modifier(ipca), hidden, context, step), plain) > 1e-3);
  }

  void followsTheLayerDtype() {
    // A float64 layer with a float32 identity: K_id/V_id are cast to the layer's dtype, and the
    // result then matches the float64 hand computation to float64 rounding.
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    a->to(at::kDouble);
    const auto hidden = hidden_states(2, 4).to(at::kDouble);
    const auto context =
        splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0).to(at::kDouble);
    const auto identity = splitmix_input("ipca.identity", {1, kIdentityTokens, kContextDim}, 2.0);
    const std::vector<std::int64_t> keep = {0, 2};
    auto ipca = std::make_shared<IpcaModifier>(IpcaOptions{});
    ipca->set_identity(identity, keep);
    const auto ours = run(a, with_modifier(ipca), hidden, context, StepInfo{0, 999.0, {}});
    QCOMPARE(ours.scalar_type(), at::kDouble);
    for (std::int64_t b = 0; b < 2; ++b) {
      const auto expected =
          by_hand(a, hidden[b], at::cat({context[b], rows_of(identity[0].to(at::kDouble), keep)}));
      QVERIFY(max_abs_diff(ours[b], expected.second) < 1e-12);
    }
  }

  void identityProjectedOncePerLayerEqualsPerStepRecomputation() {
    auto down = cross_layer(kDownLayer, Place::Down, 1);
    auto up = cross_layer(kUpLayer, Place::Up, 0);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    const auto identity = splitmix_input("ipca.identity", {2, kIdentityTokens, kContextDim}, 2.0);
    const std::vector<std::int64_t> keep = {0, 1, 3};
    auto cached = std::make_shared<IpcaModifier>(IpcaOptions{});
    cached->set_identity(identity, keep);
    const auto cached_proc = with_modifier(cached);
    for (int s = 0; s < 4; ++s) {
      const StepInfo step{s, 900.0 - 100 * s, {}};
      for (auto* layer : {&down, &up}) {
        const auto hidden = hidden_states(2, 4, "hidden.step" + std::to_string(s));
        auto fresh = std::make_shared<IpcaModifier>(IpcaOptions{});
        fresh->set_identity(identity, keep);
        const auto reused = run(*layer, cached_proc, hidden, context, step);
        const auto recomputed = run(*layer, with_modifier(fresh), hidden, context, step);
        QVERIFY(at::equal(reused, recomputed));
        QCOMPARE(fresh->identity_projections(), std::int64_t(1));
      }
    }
    QCOMPARE(cached->identity_projections(), std::int64_t(2));  // two layers, four steps
    // A new identity invalidates the cache.
    cached->set_identity(identity.flip(0), keep);
    QCOMPARE(cached->identity_projections(), std::int64_t(0));
    run(down, cached_proc, hidden_states(2, 4), context, StepInfo{4, 100.0, {}});
    QCOMPARE(cached->identity_projections(), std::int64_t(1));
  }

  void unconditionalRowsUnchanged() {
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    const auto hidden = hidden_states(4, 4);
    const auto context = splitmix_input("ipca.context4", {4, kContextTokens, kContextDim}, 2.0);
    const auto identity = splitmix_input("ipca.identity", {2, kIdentityTokens, kContextDim}, 2.0);
    const std::vector<std::int64_t> keep = {0, 1, 2};
    const StepInfo step{0, 999.0, {1, 3}};  // interleaved: identity 0 -> row 1, identity 1 -> row 3
    const auto plain = run(a, DefaultAttentionProcessor::shared(), hidden, context, step);

    auto ipca = std::make_shared<IpcaModifier>(IpcaOptions{});
    ipca->set_identity(identity, keep);
    const auto ours = run(a, with_modifier(ipca), hidden, context, step);
    for (std::int64_t row : {0, 2}) {
      const double d = max_abs_diff(ours[row], plain[row]);
      qInfo("unconditional row %lld vs plain: %.3g (tolerance 1e-6)", static_cast<long long>(row), d);
      QVERIFY(d < 1e-6);
    }
    const std::pair<std::int64_t, std::int64_t> cond[] = {{1, 0}, {3, 1}};
    for (const auto& [row, id] : cond) {
      const auto expected =
          by_hand(a, hidden[row], at::cat({context[row], rows_of(identity[id], keep)})).second;
      QVERIFY(max_abs_diff(ours[row], expected) < 1e-5);
      QVERIFY(max_abs_diff(ours[row], plain[row]) > 1e-3);
    }

    // One identity shared by every conditional row.
    auto shared = std::make_shared<IpcaModifier>(IpcaOptions{});
    shared->set_identity(identity.slice(0, 1, 2), keep);
    const auto ours_shared = run(a, with_modifier(shared), hidden, context, step);
    QVERIFY(max_abs_diff(ours_shared[0], plain[0]) < 1e-6);
    for (std::int64_t row : {1, 3})
      QVERIFY(
          max_abs_diff(ours_shared[row],
                       by_hand(a, hidden[row], at::cat({context[row], rows_of(identity[1], keep)})).second) <
          1e-5);

    // Identities that match neither 1 nor the conditional rows are refused.
    auto three = std::make_shared<IpcaModifier>(IpcaOptions{});
    three->set_identity(splitmix_input("ipca.identity3", {3, kIdentityTokens, kContextDim}), keep);
    QVERIFY(bad_input_text([&] { run(a, with_modifier(three), hidden, context, step); }).find("identity") !=
            std::string::npos);
  }

  void positionsAndStartStepFilter() {
    const auto layer = [](Place place, int block, bool cross) {
      LayerInfo l;
      l.name = "x";
      l.place = place;
      l.block_index = block;
      l.is_cross = cross;
      return l;
    };
    const auto identity = splitmix_input("ipca.identity", {1, kIdentityTokens, kContextDim});
    const auto applies = [&](std::vector<std::string> positions, const LayerInfo& l, int step_index,
                             int start = 0) {
      IpcaOptions o;
      o.positions = std::move(positions);
      o.start_step = start;
      IpcaModifier m(o);
      m.set_identity(identity, {0});
      return m.applies(l, StepInfo{step_index, 0.0, {}});
    };
    const auto down1 = layer(Place::Down, 1, true);
    QVERIFY(applies({"down"}, down1, 0));
    QVERIFY(applies({"down1"}, down1, 0));
    QVERIFY(!applies({"down0", "down2"}, down1, 0));
    QVERIFY(!applies({"mid", "up"}, down1, 0));
    QVERIFY(applies({"up1", "down1"}, down1, 0));
    QVERIFY(applies({"mid"}, layer(Place::Mid, 0, true), 0));
    QVERIFY(applies({"up0"}, layer(Place::Up, 0, true), 0));
    QVERIFY(!applies({"up0"}, layer(Place::Up, 2, true), 0));
    QVERIFY(!applies({"down", "mid", "up"}, layer(Place::Down, 1, false), 0));  // self-attention: never
    QVERIFY(!applies({}, down1, 0));
    // Start step: from start_step on; outside a run (index -1) it applies.
    QVERIFY(!applies({"down"}, down1, 2, 3));
    QVERIFY(applies({"down"}, down1, 3, 3));
    QVERIFY(applies({"down"}, down1, 40, 3));
    QVERIFY(applies({"down"}, down1, -1, 3));
    {  // no identity: nothing to append
      IpcaModifier m(IpcaOptions{});
      QVERIFY(!m.applies(down1, StepInfo{}));
      m.set_identity(identity, {0});
      QVERIFY(m.applies(down1, StepInfo{}));
      m.clear_identity();
      QVERIFY(!m.applies(down1, StepInfo{}));
    }

    // A layer left out runs exactly as without IPCA.
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    const auto hidden = hidden_states(2, 4);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    IpcaOptions up_only;
    up_only.positions = {"up", "mid", "down0"};
    auto ipca = std::make_shared<IpcaModifier>(up_only);
    ipca->set_identity(context, {0, 1, 2});
    const StepInfo step{0, 999.0, {}};
    QVERIFY(at::equal(run(a, with_modifier(ipca), hidden, context, step),
                      run(a, DefaultAttentionProcessor::shared(), hidden, context, step)));
    QCOMPARE(ipca->identity_projections(), std::int64_t(0));

    // Bad positions name the source and the field.
    for (const std::string bad : {"side", "down-1", "mid1", "", "Down", "up 1", "downx"}) {
      const auto text = bad_input_text([&] {
        validate_ipca_positions({"down", bad}, "story.json", "ipca.positions");
      });
      QVERIFY2(
          text.find("story.json") != std::string::npos && text.find("ipca.positions[1]") != std::string::npos,
          (bad + ": " + text).c_str());
    }
    validate_ipca_positions({"down", "down0", "down12", "mid", "up", "up3"}, "story.json", "ipca.positions");
    IpcaOptions bad_position;
    bad_position.positions = {"middle"};
    QVERIFY(bad_input_text([&] { IpcaModifier m(bad_position); }).find("positions[0]") != std::string::npos);
    for (double p : {-0.1, 1.0, 2.0}) {
      IpcaOptions o;
      o.dropout = p;
      QVERIFY(bad_input_text([&] { IpcaModifier m(o); }).find("dropout") != std::string::npos);
    }
    IpcaModifier m(IpcaOptions{});
    QVERIFY(bad_input_text([&] {
              m.set_identity(identity, {0, kIdentityTokens});
            }).find("keep[1]") != std::string::npos);
    QVERIFY(!bad_input_text([&] { m.set_identity(identity[0], {0}); }).empty());
  }

  void dropoutIsSeededPerPixel() {
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    const std::int64_t side = 16, queries = side * side;
    const auto hidden = hidden_states(2, side);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    const auto identity = splitmix_input("ipca.identity", {1, kIdentityTokens, kContextDim}, 2.0);
    const std::vector<std::int64_t> keep = {0, 1, 2, 3};  // SOT + three P0 tokens
    const auto render = [&](double p, std::uint64_t seed, int step_index, at::Tensor* probs = nullptr) {
      IpcaOptions o;
      o.dropout = p;
      o.seed = seed;
      auto ipca = std::make_shared<IpcaModifier>(o);
      ipca->set_identity(identity, keep);
      auto recorder = std::make_shared<ProbsRecorder>();
      auto proc = std::make_shared<ComposableAttentionProcessor>();
      proc->add_modifier(ipca);
      proc->add_observer(recorder);
      const StepInfo step{step_index, 500.0, {1}};  // row 0 unconditional
      const auto out = run(a, proc, hidden, context, step);
      if (probs) *probs = recorder->seen.begin()->second;
      return out;
    };
    at::Tensor probs;
    const auto first = render(0.5, 7, 0, &probs);
    QVERIFY(at::equal(first, render(0.5, 7, 0)));   // reproducible
    QVERIFY(!at::equal(first, render(0.5, 8, 0)));  // seed matters
    QVERIFY(!at::equal(first, render(0.5, 7, 1)));  // step matters
    // p = 0 equals no dropout; so does a tiny p that never drops but takes the per-pixel path.
    const auto none = render(0.0, 7, 0);
    const double tiny = max_abs_diff(render(1e-12, 7, 0), none);
    qInfo("dropout 1e-12 vs 0: %.3g (tolerance 1e-6)", tiny);
    QVERIFY(tiny < 1e-6);

    // What the observer saw: the conditional row's P0 columns are dropped (weight exactly 0)
    // for about half of the pixels, the same for every head; SOT never.
    const auto appended = probs[1].slice(2, kContextTokens);  // [heads, N, T]
    const auto dropped = appended.index_select(2, at::tensor(std::vector<std::int64_t>{1, 2, 3})) == 0;
    QVERIFY(at::equal(dropped[0], dropped[kHeads - 1]));
    const double fraction = dropped[0].to(at::kDouble).mean().item<double>();
    qInfo("dropped fraction %.3f of %lld pixel-token pairs (p = 0.5)", fraction,
          static_cast<long long>(queries * 3));
    QVERIFY(fraction > 0.42 && fraction < 0.58);
    QVERIFY((appended.select(2, 0) > 0).all().item<bool>());
    QVERIFY((appended.slice(2, 4) == 0).all().item<bool>());               // not in keep
    QVERIFY((probs[0].slice(2, kContextTokens) == 0).all().item<bool>());  // unconditional row

    // The conditional row equals, pixel by pixel, attention over the keys that survived.
    for (std::int64_t n : {std::int64_t(0), std::int64_t(37), queries - 1}) {
      std::vector<std::int64_t> open = {0};
      for (std::int64_t j = 1; j < 4; ++j)
        if (!dropped[0][n][j - 1].item<bool>()) open.push_back(j);
      const auto expected =
          by_hand(a, hidden[1].slice(0, n, n + 1), at::cat({context[1], rows_of(identity[0], open)})).second;
      QVERIFY(max_abs_diff(first[1].slice(0, n, n + 1), expected) < 1e-5);
    }
  }

  void dropoutMasksFollowRowKeysNotTheBatch() {
    // Frames 5 and 9 rendered together draw the same masks as frame 9 rendered alone.
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    const auto hidden = hidden_states(2, 8);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    const auto identity = splitmix_input("ipca.identity", {2, kIdentityTokens, kContextDim}, 2.0);
    const std::vector<std::int64_t> keep = {0, 1, 2, 3};
    IpcaOptions o;
    o.dropout = 0.5;
    o.seed = 3;
    const StepInfo step{2, 700.0, {}};
    auto together = std::make_shared<IpcaModifier>(o);
    together->set_identity(identity, keep, {5, 9});
    const auto both = run(a, with_modifier(together), hidden, context, step);
    auto alone = std::make_shared<IpcaModifier>(o);
    alone->set_identity(identity.slice(0, 1, 2), keep, {9});
    const auto single = run(a, with_modifier(alone), hidden.slice(0, 1, 2), context.slice(0, 1, 2), step);
    const double d = max_abs_diff(both[1], single[0]);
    qInfo("frame 9 in a batch of two vs alone: %.3g (tolerance 1e-6)", d);
    QVERIFY(d < 1e-6);
    // Keyed by position instead (no keys), the same row draws other masks.
    auto unkeyed = std::make_shared<IpcaModifier>(o);
    unkeyed->set_identity(identity.slice(0, 1, 2), keep);
    QVERIFY(max_abs_diff(run(a, with_modifier(unkeyed), hidden.slice(0, 1, 2), context.slice(0, 1, 2), step),
                         single) > 1e-4);
    QVERIFY(bad_input_text([&] { alone->set_identity(identity, keep, {1}); }).find("row_keys") !=
            std::string::npos);
  }

  void extendsAnEarlierModifiersBias() {
    // An earlier modifier masks context token 3 with a 1-D bias [M]; IPCA extends that bias, so
    // the result is attention over the context without token 3 plus the open identity tokens.
    struct MaskToken : AttentionModifier {
      void modify(const AttentionProjections&, const at::Tensor&, const at::Tensor&, const LayerInfo&,
                  const StepInfo&, AttentionTensors& t) override {
        t.bias = at::zeros({t.k.size(2)}, t.q.options());
        t.bias[3] = -std::numeric_limits<double>::infinity();
      }
    };
    auto a = cross_layer(kDownLayer, Place::Down, 1);
    const auto hidden = hidden_states(2, 4);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    const auto identity = splitmix_input("ipca.identity", {2, kIdentityTokens, kContextDim}, 2.0);
    const std::vector<std::int64_t> keep = {0, 1, 4};
    for (double p : {0.0, 0.3}) {
      IpcaOptions o;
      o.dropout = p;
      auto ipca = std::make_shared<IpcaModifier>(o);
      ipca->set_identity(identity, keep);
      auto recorder = std::make_shared<ProbsRecorder>();
      auto proc = std::make_shared<ComposableAttentionProcessor>();
      proc->add_modifier(std::make_shared<MaskToken>());
      proc->add_modifier(ipca);
      proc->add_observer(recorder);
      const auto ours = run(a, proc, hidden, context, StepInfo{0, 999.0, {}});
      const auto probs = recorder->seen.begin()->second;
      QCOMPARE(probs.size(3), kContextTokens + kIdentityTokens);
      QCOMPARE(probs.select(3, 3).abs().max().item<double>(), 0.0);
      if (p > 0) continue;  // with dropout only the masking is checked
      const std::vector<std::int64_t> kept_context = {0, 1, 2, 4, 5, 6};
      for (std::int64_t b = 0; b < 2; ++b) {
        const auto expected =
            by_hand(a, hidden[b], at::cat({rows_of(context[b], kept_context), rows_of(identity[b], keep)}))
                .second;
        QVERIFY(max_abs_diff(ours[b], expected) < 1e-5);
      }
    }
  }

  void attentionStoreSeesModifiedProbabilities() {
    auto a = cross_layer(kUpLayer, Place::Up, 0);
    const auto hidden = hidden_states(2, 4);
    const auto context = splitmix_input("ipca.context", {2, kContextTokens, kContextDim}, 2.0);
    const auto identity = splitmix_input("ipca.identity", {2, kIdentityTokens, kContextDim}, 2.0);
    const std::vector<std::int64_t> keep = {0, 1, 2};
    AttentionStoreOptions so;
    so.token_positions = iota(kContextTokens);  // the prompt's own tokens
    auto store = std::make_shared<AttentionStore>(so);
    auto ipca = std::make_shared<IpcaModifier>(IpcaOptions{});
    ipca->set_identity(identity, keep);
    auto proc = std::make_shared<ComposableAttentionProcessor>();
    proc->add_modifier(ipca);  // order of installation does not matter: observers see the result
    proc->add_observer(store);
    run(a, proc, hidden, context, StepInfo{0, 999.0, {}});

    const auto records = store->records().records;
    QCOMPARE(records.size(), std::size_t(2));
    for (std::int64_t b = 0; b < 2; ++b) {
      const auto [probs, out] = by_hand(a, hidden[b], at::cat({context[b], rows_of(identity[b], keep)}));
      const auto expected = probs.slice(2, 0, kContextTokens).mean(0).t();  // [tokens, N]
      const auto plain = by_hand(a, hidden[b], context[b]).first.mean(0).t();
      const auto& rec = records[b];
      QCOMPARE(rec.probs.sizes().vec(), (std::vector<std::int64_t>{kContextTokens, 16}));
      const double d = max_abs_diff(rec.probs, expected);
      const double vs_plain = max_abs_diff(rec.probs, plain);
      qInfo("row %lld: store vs softmax over extended keys %.3g (fp16 tolerance 2e-3), vs plain %.3g",
            static_cast<long long>(b), d, vs_plain);
      QVERIFY(d < 2e-3);
      QVERIFY(vs_plain > 2e-2);
    }
  }

  void tinyUnetEveryLayerWithCfgRows() {
    torch::NoGradGuard no_grad;
    auto model =
        UNet2DConditionModel(UNetConfig::from_json(manifest_case("tiny_unet").at("config"), "tiny_unet"));
    fill_splitmix(*model);
    const auto in = load_safetensors(storyscope::testing::fixture("tiny_unet.safetensors"));
    const auto& sample = in.at("sample");
    const auto& timestep = in.at("timestep_t500");
    const auto& ehs = in.at("encoder_hidden_states");  // row 0 plays the negative prompt
    const StepInfo step{0, 500.0, {1}};
    const auto plain = model->forward(sample, timestep, ehs, {}, step);

    const auto layers = model->attention_layers();
    const auto cross =
        std::count_if(layers.begin(), layers.end(), [](const LayerInfo& l) { return l.is_cross; });
    QVERIFY(cross > 0);

    auto ipca = std::make_shared<IpcaModifier>(IpcaOptions{});
    auto recorder = std::make_shared<ProbsRecorder>();
    auto proc = std::make_shared<ComposableAttentionProcessor>();
    proc->add_modifier(ipca);
    proc->add_observer(recorder);
    model->set_attn_processor([proc](const LayerInfo&) { return proc; });

    // Fully masked: the plain UNet, at every layer.
    const auto identity = splitmix_input("ipca.unet.identity", {1, 77, 32}, 1.0);
    ipca->set_identity(identity, {});
    const double masked = max_abs_diff(model->forward(sample, timestep, ehs, {}, step), plain);
    qInfo("tiny UNet, IPCA at every position, keep empty vs plain: %.3g (tolerance 1e-5)", masked);
    QVERIFY(masked < 1e-5);
    QCOMPARE(ipca->identity_projections(), static_cast<std::int64_t>(cross));
    QCOMPARE(recorder->seen.size(), static_cast<std::size_t>(cross));
    for (const auto& [name, probs] : recorder->seen) QCOMPARE(probs.size(3), std::int64_t(77 + 77));

    // Open SOT + four identity tokens: the conditional row changes, the unconditional one does not.
    ipca->set_identity(identity, {0, 1, 2, 3, 4});
    for (int s = 0; s < 2; ++s) {
      const auto out = model->forward(sample, timestep, ehs, {}, StepInfo{s, 500.0, {1}});
      const double uncond = max_abs_diff(out[0], plain[0]), cond = max_abs_diff(out[1], plain[1]);
      qInfo("step %d: unconditional row vs plain %.3g (tolerance 1e-5), conditional row moved %.3g", s,
            uncond, cond);
      QVERIFY(uncond < 1e-5);
      QVERIFY(cond > 1e-3);
    }
    QCOMPARE(ipca->identity_projections(), static_cast<std::int64_t>(cross));  // not per step

    // Only "mid": the other layers keep their 77 keys.
    IpcaOptions mid_only;
    mid_only.positions = {"mid"};
    auto mid = std::make_shared<IpcaModifier>(mid_only);
    mid->set_identity(identity, {0, 1});
    proc->clear();
    recorder->seen.clear();
    proc->add_modifier(mid);
    proc->add_observer(recorder);
    model->forward(sample, timestep, ehs, {}, step);
    for (const auto& [name, probs] : recorder->seen)
      QCOMPARE(probs.size(3), name.rfind("mid_block", 0) == 0 ? std::int64_t(154) : std::int64_t(77));
    QCOMPARE(mid->identity_projections(), std::int64_t(1));
  }
};

QTEST_APPLESS_MAIN(TestIpca)
#include "test_ipca.moc"
