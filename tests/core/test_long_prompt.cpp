// Long prompts (> 75 real tokens) on the tiny e2e pipelines: chunked conditioning as A1111 does
// it. Each 77-token chunk must be bit-identical to encoding its tokens as a prompt of their own,
// short prompts must keep diffusers' exact embeddings, a CFG run with a short negative must pad
// the negative to the same chunk count, and an AttentionStore given the chunked positions must
// record a map for every real token of every chunk.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <memory>
#include <string>
#include <vector>

#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/pipeline/txt2img.h"
#include "core/tensor/safetensors.h"
#include "fixtures.h"

using namespace storyscope;
using storyscope::testing::fixture;
using storyscope::testing::max_abs_diff;

namespace {

constexpr std::int64_t kChunk = 77;

// Words that are exactly one token for every tokenizer of the bundle, so that a prefix of the
// prompt's tokens is a prompt of its own with the same ids.
std::vector<std::string> single_token_words(ModelBundle& b) {
  const std::vector<std::string> candidates{"a",   "red",  "fox", "in",  "the", "snow", "cat", "dog",
                                            "sky", "blue", "sun", "and", "of",  "on",   "is",  "at"};
  std::vector<std::string> out;
  for (const auto& w : candidates) {
    bool one = b.tokenizer().encode(w).ids.size() == 3;
    if (b.dual_text_encoders()) one = one && b.tokenizer_2().encode(w).ids.size() == 3;
    if (one) out.push_back(w);
  }
  return out;
}

std::string words_text(const std::vector<std::string>& words, std::size_t begin, std::size_t end) {
  std::string s;
  for (std::size_t i = begin; i < end; ++i) s += (s.empty() ? "" : " ") + words[i];
  return s;
}

}  // namespace

class TestLongPrompt : public QObject {
  Q_OBJECT

  std::shared_ptr<ModelBundle> bundle(const std::string& folder) {
    auto& b = bundles_[folder];
    if (!b) b = ModelBundle::load_diffusers_folder(fixture("e2e/" + folder));
    return b;
  }
  std::map<std::string, std::shared_ptr<ModelBundle>> bundles_;

  // A prompt of n one-token words, cycling through the candidates.
  std::vector<std::string> long_words(ModelBundle& b, std::size_t n) {
    const auto pool = single_token_words(b);
    if (pool.size() < 2) qFatal("the tiny tokenizer has too few one-token words");
    std::vector<std::string> w;
    for (std::size_t i = 0; i < n; ++i) w.push_back(pool[(i * 7 + i / pool.size()) % pool.size()]);
    return w;
  }

  void check_chunks(const std::string& folder) {
    auto b = bundle(folder);
    const auto words = long_words(*b, 100);
    const std::string prompt = words_text(words, 0, words.size());
    const PromptEmbeddings e = encode_prompt(*b, prompt, std::nullopt, false);
    const std::int64_t dim = e.prompt_embeds.size(2);
    QCOMPARE(e.chunks, 2);
    QCOMPARE(e.prompt_tokens, std::int64_t(100));
    QCOMPARE(e.prompt_embeds.sizes().vec(), (std::vector<std::int64_t>{1, 2 * kChunk, dim}));
    QCOMPARE(e.ids.sizes().vec(), (std::vector<std::int64_t>{1, 2 * kChunk}));

    const PromptEmbeddings first = encode_prompt(*b, words_text(words, 0, 75), std::nullopt, false);
    const PromptEmbeddings second = encode_prompt(*b, words_text(words, 75, 100), std::nullopt, false);
    QCOMPARE(first.chunks, 1);
    QCOMPARE(second.chunks, 1);
    const double d0 = max_abs_diff(e.prompt_embeds.narrow(1, 0, kChunk), first.prompt_embeds);
    const double d1 = max_abs_diff(e.prompt_embeds.narrow(1, kChunk, kChunk), second.prompt_embeds);
    qInfo("%s: chunk 0 max abs %g, chunk 1 max abs %g (tolerance 0)", folder.c_str(), d0, d1);
    QCOMPARE(d0, 0.0);
    QCOMPARE(d1, 0.0);
    QVERIFY(at::equal(e.ids.narrow(1, 0, kChunk), first.ids));
    QVERIFY(at::equal(e.ids.narrow(1, kChunk, kChunk), second.ids));
    if (b->dual_text_encoders()) {
      QVERIFY(at::equal(e.ids_2.narrow(1, 0, kChunk), first.ids_2));
      QVERIFY(at::equal(e.ids_2.narrow(1, kChunk, kChunk), second.ids_2));
      const double dp = max_abs_diff(e.pooled_prompt_embeds, first.pooled_prompt_embeds);
      qInfo("%s: pooled (first chunk) max abs %g (tolerance 0)", folder.c_str(), dp);
      QCOMPARE(dp, 0.0);
    }

    // Every real token's position in the 154-long sequence, and its id there.
    const std::vector<std::int64_t> ids(e.ids.data_ptr<std::int64_t>(),
                                        e.ids.data_ptr<std::int64_t>() + e.ids.numel());
    const auto positions =
        chunked_token_positions(ids, b->tokenizer().bos_id(), b->tokenizer().eos_id(), kChunk);
    QCOMPARE(positions.size(), std::size_t(100));
    QCOMPARE(positions.front(), std::int64_t(1));
    QCOMPARE(positions[74], std::int64_t(75));
    QCOMPARE(positions[75], std::int64_t(kChunk + 1));
    QCOMPARE(positions.back(), std::int64_t(kChunk + 25));
    const auto full = b->tokenizer().encode(prompt).ids;
    for (std::size_t i = 0; i < positions.size(); ++i) {
      const std::int64_t u = unchunked_position(positions[i], kChunk);
      QCOMPARE(u, static_cast<std::int64_t>(i + 1));
      QCOMPARE(ids[static_cast<std::size_t>(positions[i])], full[static_cast<std::size_t>(u)]);
    }
  }

 private slots:
  void initTestCase() { at::set_num_threads(2); }

  void sd15_chunks_match_their_own_encoding() { check_chunks("tiny_sd15_pipeline"); }
  void sdxl_chunks_match_their_own_encoding() { check_chunks("tiny_sdxl_pipeline"); }

  void short_prompt_is_unchanged() {
    const auto ref = load_safetensors(fixture("e2e/tiny_sd15_pipeline.ddim_cfg7.5.safetensors"));
    const PromptEmbeddings e =
        encode_prompt(*bundle("tiny_sd15_pipeline"), "a red fox in the snow", "", true);
    QCOMPARE(e.chunks, 1);
    const double d = max_abs_diff(e.prompt_embeds, ref.at("prompt_embeds"));
    const double dn = max_abs_diff(e.negative_prompt_embeds, ref.at("negative_prompt_embeds"));
    // Bit-equal to the fixture on the machines the suite was written on; on an AMD EPYC host with
    // AVX-512 (same packages, no change to the text path) it differs by 1.2e-6 at most, a few ulps
    // of these values: CPU kernels are picked per instruction set. The single-chunk path must match
    // diffusers' encode_prompt to float rounding, not to the bit.
    constexpr double kRounding = 5e-6;
    qInfo("short prompt vs fixture: prompt_embeds max abs %g, negative %g (tolerance %g)", d, dn, kRounding);
    QVERIFY(d <= kRounding);
    QVERIFY(dn <= kRounding);
    QVERIFY(at::equal(e.ids, ref.at("ids/prompt")));
    QVERIFY(at::equal(e.negative_ids, ref.at("ids/negative")));
  }

  // The negative follows the prompt's chunk count: its second chunk is the encoding of "".
  void short_negative_is_padded() {
    for (const std::string folder : {"tiny_sd15_pipeline", "tiny_sdxl_pipeline"}) {
      auto b = bundle(folder);
      const auto words = long_words(*b, 100);
      const PromptEmbeddings e = encode_prompt(*b, words_text(words, 0, 100), std::string("blurry"), true);
      QCOMPARE(e.negative_prompt_embeds.sizes().vec(), e.prompt_embeds.sizes().vec());
      const PromptEmbeddings neg = encode_prompt(*b, "blurry", std::nullopt, false);
      const PromptEmbeddings empty = encode_prompt(*b, "", std::nullopt, false);
      const double d0 = max_abs_diff(e.negative_prompt_embeds.narrow(1, 0, kChunk), neg.prompt_embeds);
      const double d1 = max_abs_diff(e.negative_prompt_embeds.narrow(1, kChunk, kChunk), empty.prompt_embeds);
      qInfo("%s: negative chunk 0 vs \"blurry\" %g, chunk 1 vs \"\" %g (tolerance 0)", folder.c_str(), d0,
            d1);
      QCOMPARE(d0, 0.0);
      QCOMPARE(d1, 0.0);
      if (b->dual_text_encoders()) {
        QCOMPARE(max_abs_diff(e.negative_pooled_prompt_embeds, neg.pooled_prompt_embeds), 0.0);
        // No negative passed: force_zeros still gives zeros of the chunked shape.
        const PromptEmbeddings z = encode_prompt(*b, words_text(words, 0, 100), std::nullopt, true);
        QCOMPARE(z.negative_prompt_embeds.sizes().vec(), z.prompt_embeds.sizes().vec());
        QCOMPARE(z.negative_prompt_embeds.abs().max().item<double>(), 0.0);
      }
      // A long negative with a short prompt pads the prompt instead.
      const PromptEmbeddings r = encode_prompt(*b, "a fox", words_text(words, 0, 100), true);
      QCOMPARE(r.chunks, 2);
      QCOMPARE(r.prompt_embeds.size(1), 2 * kChunk);
      QCOMPARE(max_abs_diff(r.prompt_embeds.narrow(1, kChunk, kChunk), empty.prompt_embeds), 0.0);
    }
  }

  void txt2img_with_long_prompt_and_store() {
    for (const std::string folder : {"tiny_sd15_pipeline", "tiny_sdxl_pipeline"}) {
      auto b = bundle(folder);
      const auto words = long_words(*b, 100);
      const std::string prompt = words_text(words, 0, 100);
      const ClipTokenizer& tok = b->tokenizer();
      std::vector<std::int64_t> ids;
      for (const auto& c : prompt_chunks(tok, prompt)) ids.insert(ids.end(), c.begin(), c.end());
      QCOMPARE(static_cast<std::int64_t>(ids.size()), 2 * kChunk);

      AttentionStoreOptions so;
      so.set_prompt(ids, std::vector<std::string>(ids.size()), tok.bos_id(), tok.eos_id());
      so.token_positions = chunked_token_positions(ids, tok.bos_id(), tok.eos_id(), kChunk);
      auto store = std::make_shared<AttentionStore>(so);
      auto proc = std::make_shared<ComposableAttentionProcessor>();
      proc->add_observer(store);
      b->unet()->set_attn_processor([proc](const LayerInfo&) { return proc; });

      Txt2ImgRequest r;
      r.prompt = prompt;
      r.negative = "blurry";
      r.steps = 2;
      r.guidance = 5.0;
      r.seed = 7;
      const Txt2ImgResult res = Txt2Img(b).run(r);
      b->unet()->set_attn_processor(nullptr);
      QVERIFY(!res.cancelled);
      QCOMPARE(res.steps_done, 2);
      QCOMPARE(res.embeddings.chunks, 2);
      QCOMPARE(res.embeddings.negative_prompt_embeds.size(1), 2 * kChunk);
      QVERIFY(res.images.defined());
      QVERIFY(at::isfinite(res.images).all().item<bool>());

      const AttentionRecordSet set = store->records();
      QVERIFY(!set.records.empty());
      QCOMPARE(set.token_positions.size(), std::size_t(100));
      QCOMPARE(set.token_positions.back(), std::int64_t(kChunk + 25));
      QCOMPARE(set.token_ids.size(), std::size_t(100));
      int cross = 0;
      for (const auto& rec : set.records) {
        if (!rec.is_cross) continue;
        ++cross;
        QCOMPARE(rec.probs.size(0), std::int64_t(100));
      }
      qInfo("%s: %d cross-attention records, each with 100 token maps over a %lld-token context",
            folder.c_str(), cross, static_cast<long long>(2 * kChunk));
      QVERIFY(cross > 0);
    }
  }
};

QTEST_APPLESS_MAIN(TestLongPrompt)
#include "test_long_prompt.moc"
