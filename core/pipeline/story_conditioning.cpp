#include "core/pipeline/story_conditioning.h"

#include <ATen/ATen.h>
#include <torch/nn.h>

#include <optional>

#include "core/common/error.h"
#include "core/story/svr.h"

namespace storyscope {
namespace {

std::vector<const ClipTokenizer*> bundle_tokenizers(const ModelBundle& bundle) {
  std::vector<const ClipTokenizer*> out{&bundle.tokenizer()};
  if (bundle.dual_text_encoders()) out.push_back(&bundle.tokenizer_2());
  return out;
}

at::Tensor ids_tensor(const std::vector<std::int64_t>& ids, c10::Device device) {
  return at::tensor(ids, at::kLong).reshape({1, -1}).to(device);
}

// SDXL's two tokenizers must put every piece at the same positions: one IPCA keep-list and one
// set of spans serve both encoders. They can differ where tokenizer_2 splits "!" (its pad token)
// into separate ids; the error names the piece.
void check_same_spans(const ConsolidatedPrompt& a, const ConsolidatedPrompt& b) {
  const auto eq = [](const TokenRange& x, const TokenRange& y) {
    return x.first == y.first && x.last == y.last;
  };
  const std::string rule =
      "tokenizer and tokenizer_2 split it into different token counts (SDXL's tokenizer_2 "
      "makes every \"!\" its own token); rephrase it";
  if (!eq(a.identity, b.identity)) throw_bad_input("", "identity", rule);
  for (std::size_t i = 0; i < a.frames.size(); ++i)
    if (!eq(a.frames[i], b.frames[i]))
      throw_bad_input("", "frames[" + std::to_string(a.window[i]) + "]", rule);
}

// The negative side exactly as a txt2img run encodes it: encode_prompt's own negative path (the
// positive "" it also encodes is one short text-encoder pass, dropped). An empty story negative
// is "no negative", so SDXL's force_zeros_for_empty_prompt applies as in the reference.
void encode_negative(ModelBundle& bundle, const StorySpec& spec, PromptEmbeddings* out) {
  const std::optional<std::string> negative =
      spec.negative.empty() ? std::nullopt : std::optional<std::string>(spec.negative);
  PromptEmbeddings n = encode_prompt(bundle, "", negative, /*classifier_free_guidance=*/true);
  if (n.chunks != 1)
    throw_bad_input("", "negative",
                    "has " + std::to_string(n.negative_tokens) +
                        " CLIP tokens; a story's negative must fit in " +
                        std::to_string(bundle.tokenizer().model_max_length() - 2));
  out->negative_prompt_embeds = n.negative_prompt_embeds;
  out->negative_pooled_prompt_embeds = n.negative_pooled_prompt_embeds;
  out->negative_ids = n.negative_ids;
  out->negative_ids_2 = n.negative_ids_2;
  out->negative_tokens = n.negative_tokens;
}

}  // namespace

int story_window_size(const ModelBundle& bundle, const StorySpec& spec, const std::string& source) {
  return fitting_window_size(bundle_tokenizers(bundle), spec, source);
}

FrameConditioning story_frame_conditioning(ModelBundle& bundle, const StorySpec& spec, int frame,
                                           int window_size) {
  at::NoGradGuard no_grad;
  const c10::Device device = bundle.device();
  const bool dual = bundle.dual_text_encoders();
  const std::vector<int> window =
      window_frames(spec.window_mode, frame, static_cast<int>(spec.frames.size()), window_size);

  FrameConditioning out;
  out.frame = frame;
  std::vector<at::Tensor> befores, afters;
  const auto add = [&](const std::string& name, const ClipTokenizer& tokenizer, auto&& encode) {
    EncoderConditioning c;
    c.encoder = name;
    c.prompt = consolidate_prompt(tokenizer, spec.identity, spec.frames, frame, window);
    const at::Tensor ids = ids_tensor(c.prompt.ids, device);
    c.before = encode(ids);
    c.after = apply_svr(c.before, c.prompt, spec.svr_mode, spec.enhance, spec.suppress);
    befores.push_back(c.before);
    afters.push_back(c.after);
    out.encoders.push_back(std::move(c));
    return ids;
  };

  if (!dual) {
    // SD 1.x / 2.x: last_hidden_state, as encode_prompt's single-encoder path.
    out.embeddings.ids = add("text_encoder", bundle.tokenizer(), [&](const at::Tensor& ids) {
      return bundle.text_encoder()->forward(ids).last_hidden_state;
    });
  } else {
    // SDXL: both penultimate states; the pooled embedding is text_encoder_2's projection of the
    // consolidated prompt, untouched by SVR.
    out.embeddings.ids = add("text_encoder", bundle.tokenizer(), [&](const at::Tensor& ids) {
      return bundle.text_encoder()->forward(ids).penultimate_hidden_state;
    });
    out.embeddings.ids_2 = add("text_encoder_2", bundle.tokenizer_2(), [&](const at::Tensor& ids) {
      const ClipTextOutput o = bundle.text_encoder_2()->forward(ids);
      out.embeddings.pooled_prompt_embeds = o.text_embeds;
      return o.penultimate_hidden_state;
    });
    check_same_spans(out.encoders[0].prompt, out.encoders[1].prompt);
  }
  out.embeddings.prompt_embeds = afters.size() == 1 ? afters[0] : at::cat(afters, -1);
  out.identity_context = befores.size() == 1 ? befores[0] : at::cat(befores, -1);
  out.embeddings.chunks = 1;
  out.embeddings.prompt_tokens = static_cast<std::int64_t>(out.encoders[0].prompt.ids.size()) -
                                 static_cast<std::int64_t>(out.encoders[0].prompt.eot.size()) - 1;

  const ConsolidatedPrompt& p0 = out.encoders[0].prompt;
  out.identity_keep.push_back(0);  // SOT
  for (std::int64_t i = p0.identity.first; i <= p0.identity.last; ++i) out.identity_keep.push_back(i);

  if (spec.guidance > 1.0) encode_negative(bundle, spec, &out.embeddings);
  return out;
}

}  // namespace storyscope
