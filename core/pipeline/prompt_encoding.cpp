#include "core/pipeline/prompt_encoding.h"

#include <torch/nn.h>

namespace storyscope {
namespace {

at::Tensor token_ids(const ClipTokenizer& tokenizer, const std::string& text, c10::Device device) {
  const auto ids = tokenizer.encode_padded(text, tokenizer.model_max_length());
  return at::tensor(ids, at::kLong).reshape({1, -1}).to(device);
}

struct Encoded {
  at::Tensor ids, ids_2, embeds, pooled;
};

// SDXL's per-encoder step: penultimate state, plus the projected pooled output of encoder 2.
Encoded encode_dual(ModelBundle& bundle, const std::string& text) {
  Encoded e;
  e.ids = token_ids(bundle.tokenizer(), text, bundle.device());
  const at::Tensor first = bundle.text_encoder()->forward(e.ids).penultimate_hidden_state;
  e.ids_2 = token_ids(bundle.tokenizer_2(), text, bundle.device());
  const ClipTextOutput second = bundle.text_encoder_2()->forward(e.ids_2);
  e.embeds = at::cat({first, second.penultimate_hidden_state}, -1);
  e.pooled = second.text_embeds;
  return e;
}

}  // namespace

PromptEmbeddings encode_prompt(ModelBundle& bundle, const std::string& prompt,
                               const std::optional<std::string>& negative, bool classifier_free_guidance) {
  at::NoGradGuard no_grad;
  PromptEmbeddings out;
  if (!bundle.dual_text_encoders()) {
    out.ids = token_ids(bundle.tokenizer(), prompt, bundle.device());
    out.prompt_embeds = bundle.text_encoder()->forward(out.ids).last_hidden_state;
    if (classifier_free_guidance) {
      out.negative_ids = token_ids(bundle.tokenizer(), negative.value_or(""), bundle.device());
      out.negative_prompt_embeds = bundle.text_encoder()->forward(out.negative_ids).last_hidden_state;
    }
    return out;
  }

  Encoded pos = encode_dual(bundle, prompt);
  out.ids = pos.ids;
  out.ids_2 = pos.ids_2;
  out.prompt_embeds = pos.embeds;
  out.pooled_prompt_embeds = pos.pooled;
  if (!classifier_free_guidance) return out;
  if (!negative && bundle.force_zeros_for_empty_prompt()) {
    out.negative_prompt_embeds = at::zeros_like(out.prompt_embeds);
    out.negative_pooled_prompt_embeds = at::zeros_like(out.pooled_prompt_embeds);
    return out;
  }
  Encoded neg = encode_dual(bundle, negative.value_or(""));
  out.negative_ids = neg.ids;
  out.negative_ids_2 = neg.ids_2;
  out.negative_prompt_embeds = neg.embeds;
  out.negative_pooled_prompt_embeds = neg.pooled;
  return out;
}

}  // namespace storyscope
