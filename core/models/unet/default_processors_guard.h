#pragma once
// Puts the default attention processors back on a UNet when it leaves scope, whatever happens in
// between, so recording processors (stores, IPCA, training captures) never outlive the run that
// installed them. Optionally installs one processor on every layer for that scope.
#include "core/models/unet/unet_2d_condition.h"

namespace storyscope {

class DefaultProcessorsGuard {
 public:
  explicit DefaultProcessorsGuard(UNet2DConditionModel unet, AttentionProcessorPtr everywhere = nullptr)
      : unet_(std::move(unet)) {
    if (everywhere) unet_->set_attn_processor([everywhere](const LayerInfo&) { return everywhere; });
  }
  ~DefaultProcessorsGuard() {
    unet_->set_attn_processor([](const LayerInfo&) { return AttentionProcessorPtr(); });
  }
  DefaultProcessorsGuard(const DefaultProcessorsGuard&) = delete;
  DefaultProcessorsGuard& operator=(const DefaultProcessorsGuard&) = delete;

 private:
  UNet2DConditionModel unet_;
};

}  // namespace storyscope
