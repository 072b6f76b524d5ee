#include "core/pipeline/prompt_encoding.h"

#include <torch/nn.h>

#include <algorithm>

namespace storyscope {
namespace {

at::Tensor as_ids(const std::vector<std::int64_t>& ids, c10::Device device) {
  return at::tensor(ids, at::kLong).reshape({1, -1}).to(device);
}

at::Tensor token_ids(const ClipTokenizer& tokenizer, const std::string& text, c10::Device device) {
  return as_ids(tokenizer.encode_padded(text, tokenizer.model_max_length()), device);
}

std::int64_t real_token_count(const ClipTokenizer& tokenizer, const std::string& text) {
  // encode() is bos + tokens + eos, untruncated.
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(tokenizer.encode(text).ids.size()) - 2);
}

// Both sides' chunk count: the longest of prompt and negative, over both tokenizers.
int side_chunks(ModelBundle& bundle, const std::string& text) {
  int k = prompt_chunk_count(bundle.tokenizer(), text);
  if (bundle.dual_text_encoders()) k = std::max(k, prompt_chunk_count(bundle.tokenizer_2(), text));
  return k;
}

at::Tensor cat_ids(const std::vector<std::vector<std::int64_t>>& chunks, c10::Device device) {
  std::vector<std::int64_t> all;
  for (const auto& c : chunks) all.insert(all.end(), c.begin(), c.end());
  return as_ids(all, device);
}

// Each chunk through the encoder on its own, so every chunk is bit-identical to a short prompt.
template <class Fn>
at::Tensor encode_chunks(const std::vector<std::vector<std::int64_t>>& chunks, c10::Device device, Fn fn) {
  if (chunks.size() == 1) return fn(as_ids(chunks[0], device));
  std::vector<at::Tensor> parts;
  for (const auto& c : chunks) parts.push_back(fn(as_ids(c, device)));
  return at::cat(parts, 1);
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

Encoded encode_dual_chunked(ModelBundle& bundle, const std::string& text, int chunks) {
  const c10::Device device = bundle.device();
  const auto c1 = prompt_chunks(bundle.tokenizer(), text, chunks);
  const auto c2 = prompt_chunks(bundle.tokenizer_2(), text, chunks);
  Encoded e;
  e.ids = cat_ids(c1, device);
  e.ids_2 = cat_ids(c2, device);
  const at::Tensor first = encode_chunks(c1, device, [&](const at::Tensor& ids) {
    return bundle.text_encoder()->forward(ids).penultimate_hidden_state;
  });
  at::Tensor pooled;
  const at::Tensor second = encode_chunks(c2, device, [&](const at::Tensor& ids) {
    const ClipTextOutput o = bundle.text_encoder_2()->forward(ids);
    if (!pooled.defined()) pooled = o.text_embeds;  // A1111: the first chunk's pooled output
    return o.penultimate_hidden_state;
  });
  e.embeds = at::cat({first, second}, -1);
  e.pooled = pooled;
  return e;
}

at::Tensor encode_single_chunked(ModelBundle& bundle, const std::string& text, int chunks, at::Tensor* ids) {
  const auto c = prompt_chunks(bundle.tokenizer(), text, chunks);
  *ids = cat_ids(c, bundle.device());
  return encode_chunks(c, bundle.device(), [&](const at::Tensor& x) {
    return bundle.text_encoder()->forward(x).last_hidden_state;
  });
}

}  // namespace

int prompt_chunk_count(const ClipTokenizer& tokenizer, const std::string& text) {
  const std::int64_t per_chunk = tokenizer.model_max_length() - 2;
  const std::int64_t n = real_token_count(tokenizer, text);
  return n <= per_chunk ? 1 : static_cast<int>((n + per_chunk - 1) / per_chunk);
}

std::vector<std::vector<std::int64_t>> prompt_chunks(const ClipTokenizer& tokenizer, const std::string& text,
                                                     int min_chunks) {
  const int length = tokenizer.model_max_length();
  const std::int64_t per_chunk = length - 2;
  std::vector<std::vector<std::int64_t>> out;
  if (prompt_chunk_count(tokenizer, text) == 1) {
    out.push_back(tokenizer.encode_padded(text, length));
  } else {
    const std::vector<std::int64_t> all = tokenizer.encode(text).ids;
    const std::int64_t n = static_cast<std::int64_t>(all.size()) - 2;
    for (std::int64_t begin = 0; begin < n; begin += per_chunk) {
      std::vector<std::int64_t> chunk{tokenizer.bos_id()};
      const std::int64_t end = std::min(n, begin + per_chunk);
      chunk.insert(chunk.end(), all.begin() + 1 + begin, all.begin() + 1 + end);
      chunk.push_back(tokenizer.eos_id());
      chunk.resize(static_cast<std::size_t>(length), tokenizer.pad_id());
      out.push_back(std::move(chunk));
    }
  }
  if (static_cast<int>(out.size()) < min_chunks) {
    const std::vector<std::int64_t> empty = tokenizer.encode_padded("", length);
    out.resize(static_cast<std::size_t>(min_chunks), empty);
  }
  return out;
}

std::vector<std::int64_t> chunked_token_positions(const std::vector<std::int64_t>& ids, std::int64_t bos_id,
                                                  std::int64_t eos_id, std::int64_t chunk_length) {
  std::vector<std::int64_t> out;
  const std::int64_t n = static_cast<std::int64_t>(ids.size());
  for (std::int64_t start = 0; start < n; start += chunk_length) {
    const std::int64_t end = std::min(n, start + chunk_length);
    std::int64_t i = start;
    if (ids[static_cast<std::size_t>(i)] == bos_id) ++i;
    // Real tokens run up to the chunk's first eos (the pad id may equal eos).
    for (; i < end && ids[static_cast<std::size_t>(i)] != eos_id; ++i) out.push_back(i);
  }
  return out;
}

std::int64_t unchunked_position(std::int64_t position, std::int64_t chunk_length) {
  if (position < 0 || chunk_length < 3) return -1;
  const std::int64_t chunk = position / chunk_length, slot = position % chunk_length;
  if (slot == 0 || slot == chunk_length - 1) return -1;
  return chunk * (chunk_length - 2) + slot;
}

PromptEmbeddings encode_prompt(ModelBundle& bundle, const std::string& prompt,
                               const std::optional<std::string>& negative, bool classifier_free_guidance) {
  at::NoGradGuard no_grad;
  PromptEmbeddings out;
  out.prompt_tokens = real_token_count(bundle.tokenizer(), prompt);
  const bool encode_negative = classifier_free_guidance && (negative || !bundle.dual_text_encoders() ||
                                                            !bundle.force_zeros_for_empty_prompt());
  if (encode_negative) out.negative_tokens = real_token_count(bundle.tokenizer(), negative.value_or(""));
  int chunks = side_chunks(bundle, prompt);
  if (encode_negative) chunks = std::max(chunks, side_chunks(bundle, negative.value_or("")));
  out.chunks = chunks;

  if (chunks > 1) {
    if (!bundle.dual_text_encoders()) {
      out.prompt_embeds = encode_single_chunked(bundle, prompt, chunks, &out.ids);
      if (classifier_free_guidance)
        out.negative_prompt_embeds =
            encode_single_chunked(bundle, negative.value_or(""), chunks, &out.negative_ids);
      return out;
    }
    Encoded pos = encode_dual_chunked(bundle, prompt, chunks);
    out.ids = pos.ids;
    out.ids_2 = pos.ids_2;
    out.prompt_embeds = pos.embeds;
    out.pooled_prompt_embeds = pos.pooled;
    if (!classifier_free_guidance) return out;
    if (!encode_negative) {
      out.negative_prompt_embeds = at::zeros_like(out.prompt_embeds);
      out.negative_pooled_prompt_embeds = at::zeros_like(out.pooled_prompt_embeds);
      return out;
    }
    Encoded neg = encode_dual_chunked(bundle, negative.value_or(""), chunks);
    out.negative_ids = neg.ids;
    out.negative_ids_2 = neg.ids_2;
    out.negative_prompt_embeds = neg.embeds;
    out.negative_pooled_prompt_embeds = neg.pooled;
    return out;
  }

  // The prompt and negative fit in one chunk: diffusers' path, unchanged.
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
