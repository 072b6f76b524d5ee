// Story conditioning on the tiny SD1.5 and SDXL pipelines: with SVR off, `before` is exactly what
// encode_prompt gives for the consolidated text (so `off` renders the plain prompt); spans and ids
// match each tokenizer; SDXL reweights both encoders' states separately and leaves the pooled
// embedding alone; the negative side is encode_prompt's.
#include <ATen/ATen.h>

#include <QtTest/QtTest>
#include <map>
#include <memory>
#include <string>

#include "core/common/error.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/pipeline/story_conditioning.h"
#include "core/story/svr.h"
#include "fixtures.h"

using namespace storyscope;
using storyscope::testing::fixture;

namespace {

StorySpec story(SvrMode mode, double guidance = 1.0) {
  StorySpec s;
  s.identity = "a red fox";
  s.frames = {"in the snow", "by a blue river", "at night"};
  s.svr_mode = mode;
  s.guidance = guidance;
  s.window_size = 3;
  return s;
}

std::vector<std::int64_t> ids_of(const at::Tensor& t) {
  const at::Tensor c = t.reshape({-1}).to(at::kCPU).contiguous();
  return std::vector<std::int64_t>(c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel());
}

std::vector<std::int64_t> piece(const ClipTokenizer& t, const std::string& text) {
  const auto ids = t.encode(text).ids;
  return std::vector<std::int64_t>(ids.begin() + 1, ids.end() - 1);
}

at::Tensor rows(const at::Tensor& e, std::int64_t first, std::int64_t count) {
  return e[0].narrow(0, first, count);
}

}  // namespace

class TestStoryConditioning : public QObject {
  Q_OBJECT

  std::shared_ptr<ModelBundle> bundle(const std::string& folder) {
    auto& b = bundles_[folder];
    if (!b) b = ModelBundle::load_diffusers_folder(fixture("e2e/" + folder));
    return b;
  }
  std::map<std::string, std::shared_ptr<ModelBundle>> bundles_;

  const ClipTokenizer& tokenizer_for(ModelBundle& b, const EncoderConditioning& c) {
    return c.encoder == "text_encoder" ? b.tokenizer() : b.tokenizer_2();
  }

  // With SVR off, every frame's `before` (and what the UNet gets) equals encode_prompt of its
  // consolidated text bit for bit; a one-frame window equals encode_prompt(P0 + " " + P1).
  void check_off_equals_encode_prompt(const std::string& folder) {
    auto b = bundle(folder);
    StorySpec one = story(SvrMode::Off);
    one.frames = {"in the snow"};
    const FrameConditioning c1 = story_frame_conditioning(*b, one, 0, 1);
    const PromptEmbeddings ref1 = encode_prompt(*b, "a red fox in the snow", std::nullopt, false);
    std::vector<at::Tensor> befores;
    for (const auto& e : c1.encoders) befores.push_back(e.before);
    QVERIFY(at::equal(at::cat(befores, -1), ref1.prompt_embeds));
    QVERIFY(at::equal(c1.identity_context, ref1.prompt_embeds));
    QVERIFY(at::equal(c1.embeddings.prompt_embeds, ref1.prompt_embeds));
    QVERIFY(at::equal(c1.embeddings.ids, ref1.ids));
    if (b->dual_text_encoders()) {
      QVERIFY(at::equal(c1.embeddings.ids_2, ref1.ids_2));
      QVERIFY(at::equal(c1.embeddings.pooled_prompt_embeds, ref1.pooled_prompt_embeds));
    }

    const StorySpec s = story(SvrMode::Off);
    for (int j = 0; j < 3; ++j) {
      const FrameConditioning c = story_frame_conditioning(*b, s, j, 3);
      const PromptEmbeddings ref = encode_prompt(*b, c.encoders[0].prompt.text, std::nullopt, false);
      QVERIFY(at::equal(c.identity_context, ref.prompt_embeds));
      QVERIFY(at::equal(c.embeddings.prompt_embeds, ref.prompt_embeds));
      QCOMPARE(c.embeddings.chunks, 1);
      QCOMPARE(c.embeddings.prompt_tokens, ref.prompt_tokens);
      QVERIFY(!c.embeddings.negative_prompt_embeds.defined());
    }
  }

  void check_spans(const std::string& folder) {
    auto b = bundle(folder);
    const StorySpec s = story(SvrMode::Svr);
    for (WindowMode mode : {WindowMode::Circular, WindowMode::Trailing}) {
      StorySpec sm = s;
      sm.window_mode = mode;
      for (int j = 0; j < 3; ++j) {
        const FrameConditioning c = story_frame_conditioning(*b, sm, j, 2);
        QCOMPARE(c.frame, j);
        QCOMPARE(c.encoders.size(), std::size_t(b->dual_text_encoders() ? 2 : 1));
        for (const EncoderConditioning& e : c.encoders) {
          const ClipTokenizer& t = tokenizer_for(*b, e);
          const ConsolidatedPrompt& p = e.prompt;
          QCOMPARE(p.window, window_frames(mode, j, 3, 2));
          QCOMPARE(p.ids, t.encode_padded(p.text, t.model_max_length()));
          const auto span = [&](const TokenRange& r) {
            return std::vector<std::int64_t>(p.ids.begin() + r.first, p.ids.begin() + r.last + 1);
          };
          QCOMPARE(span(p.identity), piece(t, s.identity));
          for (std::size_t i = 0; i < p.window.size(); ++i)
            QCOMPARE(span(p.frames[i]), piece(t, s.frames[p.window[i]]));
          QCOMPARE(span(p.express), piece(t, s.frames[j]));
          QCOMPARE(p.ids[p.eot.front()], t.eos_id());
          QCOMPARE(p.eot.back(), std::int64_t(t.model_max_length() - 1));
          const at::Tensor ids = e.encoder == "text_encoder" ? c.embeddings.ids : c.embeddings.ids_2;
          QCOMPARE(ids_of(ids), p.ids);
        }
        // The IPCA keep-list: SOT and P0's positions.
        std::vector<std::int64_t> keep{0};
        for (std::int64_t i = 1; i <= piece(b->tokenizer(), s.identity).size(); ++i) keep.push_back(i);
        QCOMPARE(c.identity_keep, keep);
      }
    }
  }

  void check_svr_applied(const std::string& folder) {
    auto b = bundle(folder);
    const StorySpec s = story(SvrMode::Svr);
    const FrameConditioning c = story_frame_conditioning(*b, s, 1, 3);
    std::vector<at::Tensor> afters, befores;
    for (const EncoderConditioning& e : c.encoders) {
      const std::int64_t dim = e.encoder == "text_encoder" ? b->text_encoder()->config().hidden_size
                                                           : b->text_encoder_2()->config().hidden_size;
      QCOMPARE(e.before.sizes().vec(), (std::vector<std::int64_t>{1, 77, dim}));
      QCOMPARE(e.after.sizes().vec(), e.before.sizes().vec());
      // `after` is apply_svr of `before`, per encoder, with SOT and P0 untouched.
      QVERIFY(at::equal(e.after, apply_svr(e.before, e.prompt, SvrMode::Svr, s.enhance, s.suppress)));
      const std::int64_t keep = e.prompt.identity.last + 1;
      QVERIFY(at::equal(rows(e.after, 0, keep), rows(e.before, 0, keep)));
      QVERIFY(!at::equal(e.after, e.before));
      afters.push_back(e.after);
      befores.push_back(e.before);
    }
    QVERIFY(at::equal(c.embeddings.prompt_embeds, at::cat(afters, -1)));
    QVERIFY(at::equal(c.identity_context, at::cat(befores, -1)));
    const PromptEmbeddings ref = encode_prompt(*b, c.encoders[0].prompt.text, std::nullopt, false);
    QVERIFY(at::equal(c.identity_context, ref.prompt_embeds));
    if (b->dual_text_encoders()) {
      QCOMPARE(c.embeddings.prompt_embeds.size(2), ref.prompt_embeds.size(2));
      QVERIFY(at::equal(c.embeddings.pooled_prompt_embeds, ref.pooled_prompt_embeds));  // untouched by SVR
    }
  }

  void check_negative(const std::string& folder) {
    auto b = bundle(folder);
    StorySpec s = story(SvrMode::Svr, 5.0);
    FrameConditioning c = story_frame_conditioning(*b, s, 0, 3);
    // An empty story negative is "no negative", as diffusers' pipelines default it.
    PromptEmbeddings ref = encode_prompt(*b, c.encoders[0].prompt.text, std::nullopt, true);
    QVERIFY(at::equal(c.embeddings.negative_prompt_embeds, ref.negative_prompt_embeds));
    if (b->dual_text_encoders()) {
      QVERIFY(at::equal(c.embeddings.negative_pooled_prompt_embeds, ref.negative_pooled_prompt_embeds));
      QVERIFY(c.embeddings.negative_prompt_embeds.abs().max().item<double>() == 0.0);  // force_zeros
    }
    s.negative = "blurry";
    c = story_frame_conditioning(*b, s, 0, 3);
    ref = encode_prompt(*b, c.encoders[0].prompt.text, std::string("blurry"), true);
    QVERIFY(at::equal(c.embeddings.negative_prompt_embeds, ref.negative_prompt_embeds));
    QVERIFY(at::equal(c.embeddings.negative_ids, ref.negative_ids));
    if (b->dual_text_encoders())
      QVERIFY(at::equal(c.embeddings.negative_pooled_prompt_embeds, ref.negative_pooled_prompt_embeds));

    // A negative past one 77-token chunk would need a chunked positive side: refused, named.
    s.negative.clear();
    for (int i = 0; i < 80; ++i) s.negative += "a ";
    try {
      story_frame_conditioning(*b, s, 0, 3);
      QFAIL("an 80-token negative was accepted");
    } catch (const Error& e) {
      QCOMPARE(e.location(), std::string("negative"));
      QVERIFY2(e.rule().find("80") != std::string::npos, e.what());
    }
    // Without CFG the negative is not used, so it does not matter.
    s.guidance = 1.0;
    QVERIFY(!story_frame_conditioning(*b, s, 0, 3).embeddings.negative_prompt_embeds.defined());
  }

 private slots:
  void offEqualsEncodePromptSd15() { check_off_equals_encode_prompt("tiny_sd15_pipeline"); }
  void offEqualsEncodePromptSdxl() { check_off_equals_encode_prompt("tiny_sdxl_pipeline"); }
  void spansMatchTokenizerSd15() { check_spans("tiny_sd15_pipeline"); }
  void spansMatchTokenizerSdxl() { check_spans("tiny_sdxl_pipeline"); }
  void svrPerEncoderSd15() { check_svr_applied("tiny_sd15_pipeline"); }
  void svrPerEncoderSdxl() { check_svr_applied("tiny_sdxl_pipeline"); }
  void negativeSd15() { check_negative("tiny_sd15_pipeline"); }
  void negativeSdxl() { check_negative("tiny_sdxl_pipeline"); }

  void windowSizeOverTheBundleTokenizers() {
    auto b = bundle("tiny_sdxl_pipeline");
    StorySpec s = story(SvrMode::Svr);
    s.window_size = 10;
    QCOMPARE(story_window_size(*b, s), fitting_window_size({&b->tokenizer(), &b->tokenizer_2()}, s));
    QCOMPARE(story_window_size(*b, s), 3);  // three short frames fit together
  }

  void tokenizersThatDisagreeAreAnError() {
    // tokenizer_2 makes each "!" its own id; tokenizer keeps "!!!" as one token.
    auto b = bundle("tiny_sdxl_pipeline");
    StorySpec s = story(SvrMode::Svr);
    s.frames[1] = "by a river!!!";
    QVERIFY(token_count(b->tokenizer(), s.frames[1]) != token_count(b->tokenizer_2(), s.frames[1]));
    try {
      story_frame_conditioning(*b, s, 0, 3);
      QFAIL("different spans accepted");
    } catch (const Error& e) {
      QCOMPARE(e.location(), std::string("frames[1]"));
    }
  }
};

QTEST_APPLESS_MAIN(TestStoryConditioning)
#include "test_story_conditioning.moc"
