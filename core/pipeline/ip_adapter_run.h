#pragma once
// IP-Adapter as an optional input of a text-to-image run: the adapter, the image embeds its
// encoder gave (and their unconditional counterpart) and the scale. The run projects the embeds
// to tokens, lays them out like the text context ([negative x B; positive x B] under CFG) and
// installs the adapter's attention modifier for the duration of the run only.
#include <ATen/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "core/models/unet/unet_2d_condition.h"
#include "core/models/vision/ip_adapter.h"

namespace storyscope {

struct IPAdapterInput {
  std::shared_ptr<IPAdapter> adapter;
  // From IPAdapter::encode_image (or stored ones, like diffusers' ip_adapter_image_embeds):
  // 1 row shared by the batch, or one per image. `negative` is needed under CFG.
  IPAdapterImageEmbeds image_embeds;
  double scale = 1.0;
};

// Throws Error(BadInput) naming `source` and the field for a missing adapter, rows that are
// neither 1 nor `batch`, a missing negative under CFG or a non-finite scale.
void validate_ip_adapter_input(const IPAdapterInput& input, std::int64_t batch, bool cfg,
                               const std::string& source);

// The tokens of every UNet batch row: [negative x batch; positive x batch] under CFG, else
// [positive x batch]; [rows, T, cross_attention_dim].
at::Tensor ip_adapter_tokens(const IPAdapterInput& input, std::int64_t batch, bool cfg);

// Puts the adapter's modifier, with `tokens` and the input's scale, on every cross-attention
// layer it has weights for: into the ComposableAttentionProcessor already there (after its
// other modifiers, so stores record the result), or in a run-local one where a layer has the
// default processor. The destructor restores the processors and clears the tokens.
class ScopedIPAdapter {
 public:
  ScopedIPAdapter(UNet2DConditionModelImpl& unet, const IPAdapterInput& input, const at::Tensor& tokens);
  ~ScopedIPAdapter();
  ScopedIPAdapter(const ScopedIPAdapter&) = delete;
  ScopedIPAdapter& operator=(const ScopedIPAdapter&) = delete;

 private:
  std::shared_ptr<IPAdapterAttnModifier> modifier_;
  std::vector<std::pair<Attention, AttentionProcessorPtr>> replaced_;
  std::vector<std::shared_ptr<ComposableAttentionProcessor>> extended_;
};

}  // namespace storyscope
