#pragma once
// diffusers' AutoencoderKL: encoder + quant_conv -> diagonal Gaussian posterior; post_quant_conv
// + decoder -> image. Latents are in the VAE's own units: callers apply scaling_factor (and
// shift_factor) themselves, as diffusers' pipelines do.
#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <optional>

#include "core/config/vae_config.h"
#include "core/models/vae/vae_decoder.h"
#include "core/models/vae/vae_encoder.h"
#include "core/models/vae/vae_tap.h"

namespace storyscope {

// diffusers' DiagonalGaussianDistribution.
struct DiagonalGaussian {
  at::Tensor mean;
  at::Tensor logvar;  // clamped to [-30, 20]

  // Splits quant_conv's output [B, 2C, h, w] into mean and log-variance along channels.
  static DiagonalGaussian from_moments(const at::Tensor& moments);
  at::Tensor std() const;
  at::Tensor var() const;
  at::Tensor mode() const { return mean; }
  // mean + std * N(0, 1); the noise comes from `generator` (the default CPU generator if none).
  at::Tensor sample(std::optional<at::Generator> generator = std::nullopt) const;
};

class AutoencoderKLImpl : public torch::nn::Module {
 public:
  explicit AutoencoderKLImpl(VAEConfig config);

  // image: [B, in_channels, H, W] in [-1, 1].
  DiagonalGaussian encode(const at::Tensor& image, const VaeTap& tap = {});
  // latents: [B, latent_channels, h, w], unscaled. Returns [B, out_channels, h*f, w*f].
  at::Tensor decode(const at::Tensor& latents, const VaeTap& tap = {});

  const VAEConfig& config() const { return config_; }

  VaeEncoder encoder{nullptr};
  VaeDecoder decoder{nullptr};
  torch::nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};  // null when the config turns them off

 private:
  VAEConfig config_;
};
TORCH_MODULE(AutoencoderKL);

}  // namespace storyscope
