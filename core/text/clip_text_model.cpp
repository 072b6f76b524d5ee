#include "core/text/clip_text_model.h"

#include <ATen/Dispatch.h>
#include <torch/nn.h>

#include <limits>

#include "core/common/error.h"

namespace storyscope {

namespace nn = torch::nn;

namespace {

const char* kSource = "CLIP text encoder";

// vocab_size: the embedding table's rows (the config's, plus any tokens added since loading).
void check_input_ids(const at::Tensor& ids, const ClipTextConfig& c, std::int64_t vocab_size) {
  if (!ids.defined() || ids.dim() != 2)
    throw_bad_input(kSource, "input_ids", "expected a [batch, tokens] tensor");
  if (at::isFloatingType(ids.scalar_type()) || ids.scalar_type() == at::kBool)
    throw_bad_input(kSource, "input_ids", "expected integer token ids");
  const auto n = ids.size(1);
  if (ids.size(0) < 1 || n < 1) throw_bad_input(kSource, "input_ids", "empty batch or sequence");
  if (n > c.max_position_embeddings)
    throw_bad_input(kSource, "input_ids",
                    std::to_string(n) + " tokens exceed max_position_embeddings " +
                        std::to_string(c.max_position_embeddings));
  const auto lo = ids.min().item<std::int64_t>(), hi = ids.max().item<std::int64_t>();
  if (lo < 0 || hi >= vocab_size)
    throw_bad_input(kSource, "input_ids",
                    "token id " + std::to_string(lo < 0 ? lo : hi) + " outside the vocabulary [0, " +
                        std::to_string(vocab_size) + ")");
}

// transformers fills the masked (future) positions with finfo(dtype).min rather than -inf.
at::Tensor causal_mask(std::int64_t n, const at::TensorOptions& options) {
  at::Tensor mask;
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, options.dtype().toScalarType(), "causal_mask",
                                  [&] {
                                    mask = at::full({n, n}, std::numeric_limits<scalar_t>::lowest(), options);
                                  });
  return at::triu(mask, 1);
}

}  // namespace

ClipTextTransformerImpl::ClipTextTransformerImpl(const ClipTextConfig& c) : config_(c) {
  embeddings = register_module("embeddings", ClipTextEmbeddings(c));
  encoder = register_module("encoder", ClipEncoder(c));
  final_layer_norm = register_module(
      "final_layer_norm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
}

std::vector<std::int64_t> ClipTextTransformerImpl::pooling_positions(const at::Tensor& input_ids) const {
  const auto ids = input_ids.to(at::kCPU, at::kLong).contiguous();
  const auto acc = ids.accessor<std::int64_t, 2>();
  std::vector<std::int64_t> out(ids.size(0), 0);
  for (std::int64_t b = 0; b < ids.size(0); ++b) {
    for (std::int64_t i = 0; i < ids.size(1); ++i) {
      // Legacy configs (eos_token_id 2) pool at the largest id, which is EOS in CLIP's
      // vocabulary; either way the first occurrence wins, as torch.argmax does.
      const bool better =
          config_.legacy_eos_pooling() ? acc[b][i] > acc[b][out[b]] : acc[b][i] == config_.eos_token_id;
      if (better) {
        out[b] = i;
        if (!config_.legacy_eos_pooling()) break;
      }
    }
  }
  return out;
}

ClipTextOutput ClipTextTransformerImpl::forward(const at::Tensor& input_ids, const ClipTextForward& options) {
  check_input_ids(input_ids, config_, embeddings->token_embedding->weight.size(0));
  const auto layers = static_cast<std::int64_t>(encoder->size());
  if (options.clip_skip < 0 || options.clip_skip > layers)
    throw_bad_input(
        kSource, "clip_skip",
        "must be between 0 and " + std::to_string(layers) + ", found " + std::to_string(options.clip_skip));

  ClipTextOutput out;
  const auto ids = input_ids.to(at::kLong);
  auto h = embeddings->forward(ids);
  const auto mask = causal_mask(ids.size(1), h.options());
  // hidden_states[i] is the input of layer i; index `layers` is the last layer's output.
  const std::int64_t skipped_index = options.clip_skip > 0 ? layers - options.clip_skip : -1;
  for (std::int64_t i = 0; i <= layers; ++i) {
    if (options.all_hidden_states) out.hidden_states.push_back(h);
    if (i == layers - 1) out.penultimate_hidden_state = h;
    if (i == skipped_index) out.skipped_hidden_state = h;
    if (i < layers) h = encoder->layer(i)->forward(h, mask);
  }
  out.last_hidden_state = final_layer_norm->forward(h);

  const auto positions = pooling_positions(input_ids);
  const auto b = out.last_hidden_state.size(0), n = out.last_hidden_state.size(1);
  std::vector<std::int64_t> flat(positions.size());
  for (std::int64_t r = 0; r < b; ++r) flat[r] = r * n + positions[r];
  const auto index = at::tensor(flat, at::TensorOptions().dtype(at::kLong)).to(h.device());
  out.pooler_output = out.last_hidden_state.reshape({b * n, -1}).index_select(0, index);
  return out;
}

CLIPTextModelImpl::CLIPTextModelImpl(const ClipTextConfig& c) {
  text_model = register_module("text_model", ClipTextTransformer(c));
}

ClipTextOutput CLIPTextModelImpl::forward(const at::Tensor& input_ids, const ClipTextForward& options) {
  return text_model->forward(input_ids, options);
}

CLIPTextModelWithProjectionImpl::CLIPTextModelWithProjectionImpl(const ClipTextConfig& c) {
  text_model = register_module("text_model", ClipTextTransformer(c));
  text_projection = register_module(
      "text_projection", nn::Linear(nn::LinearOptions(c.hidden_size, c.projection_dim).bias(false)));
}

ClipTextOutput CLIPTextModelWithProjectionImpl::forward(const at::Tensor& input_ids,
                                                        const ClipTextForward& options) {
  auto out = text_model->forward(input_ids, options);
  out.text_embeds = text_projection->forward(out.pooler_output);
  return out;
}

std::size_t drop_ignored_clip_text_keys(std::map<std::string, at::Tensor>& weights) {
  return weights.erase("text_model.embeddings.position_ids");
}

}  // namespace storyscope
