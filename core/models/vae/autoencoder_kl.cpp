#include "core/models/vae/autoencoder_kl.h"

#include <torch/nn.h>

#include "core/common/error.h"
#include "core/tensor/state_dict.h"

namespace storyscope {

namespace {
void check_input(const at::Tensor& x, std::int64_t channels, const char* what) {
  if (!x.defined() || x.dim() != 4 || x.size(1) != channels)
    throw_bad_input("AutoencoderKL", what,
                    "expected a [B, " + std::to_string(channels) + ", H, W] tensor, found " +
                        (x.defined() ? shape_to_string(x.sizes().vec()) : std::string("none")));
}
}  // namespace

DiagonalGaussian DiagonalGaussian::from_moments(const at::Tensor& moments) {
  auto parts = moments.chunk(2, 1);
  return {parts[0], parts[1].clamp(-30.0, 20.0)};
}

at::Tensor DiagonalGaussian::std() const { return (0.5 * logvar).exp(); }

at::Tensor DiagonalGaussian::var() const { return logvar.exp(); }

at::Tensor DiagonalGaussian::sample(std::optional<at::Generator> generator) const {
  c10::optional<at::Generator> gen;
  if (generator) gen = *generator;
  const auto noise = at::randn(mean.sizes(), gen, mean.options());
  return mean + std() * noise;
}

AutoencoderKLImpl::AutoencoderKLImpl(VAEConfig config) : config_(std::move(config)) {
  using namespace torch::nn;
  const auto latent = config_.latent_channels;
  encoder = register_module("encoder", VaeEncoder(config_));
  decoder = register_module("decoder", VaeDecoder(config_));
  if (config_.use_quant_conv)
    quant_conv = register_module("quant_conv", Conv2d(Conv2dOptions(2 * latent, 2 * latent, 1)));
  if (config_.use_post_quant_conv)
    post_quant_conv = register_module("post_quant_conv", Conv2d(Conv2dOptions(latent, latent, 1)));
}

DiagonalGaussian AutoencoderKLImpl::encode(const at::Tensor& image, const VaeTap& tap) {
  check_input(image, config_.in_channels, "encode input");
  auto moments = encoder->forward(image, tap);
  if (quant_conv) {
    moments = quant_conv->forward(moments);
    if (tap) tap("quant_conv", moments);
  }
  return DiagonalGaussian::from_moments(moments);
}

at::Tensor AutoencoderKLImpl::decode(const at::Tensor& latents, const VaeTap& tap) {
  check_input(latents, config_.latent_channels, "decode input");
  auto z = latents;
  if (post_quant_conv) {
    z = post_quant_conv->forward(z);
    if (tap) tap("post_quant_conv", z);
  }
  return decoder->forward(z, tap);
}

}  // namespace storyscope
