#include "app/cli/ip_adapter_args.h"

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>

#include "core/common/error.h"
#include "core/models/vision/clip_image_processor.h"
#include "core/models/vision/clip_vision_model.h"
#ifdef STORYSCOPE_HAS_IMAGING
#include "core/imaging/png_metadata.h"
#endif

namespace fs = std::filesystem;

namespace storyscope::cli {
namespace {

ClipImageProcessorConfig processor_config(const Args& args, const ModelBundle& bundle,
                                          const std::string& encoder_dir, std::int64_t image_size) {
  if (const auto dir = args.get("feature-extractor")) return ClipImageProcessorConfig::from_file(*dir);
  for (const fs::path candidate :
       {fs::path(bundle.source()) / "feature_extractor" / "preprocessor_config.json",
        fs::path(encoder_dir) / "preprocessor_config.json"})
    if (fs::is_regular_file(candidate)) return ClipImageProcessorConfig::from_file(candidate.string());
  ClipImageProcessorConfig c;
  c.shortest_edge = c.crop_height = c.crop_width = image_size;
  return c;
}

at::Tensor read_rgb(const std::string& path) {
#ifdef STORYSCOPE_HAS_IMAGING
  RgbImage image = read_png(path);
  return at::from_blob(image.rgb.data(), {image.height, image.width, 3}, at::kByte).clone();
#else
  throw_bad_input(path, "--ip-image", "reading images needs a build with OpenCV (STORYSCOPE_OPENCV)");
#endif
}

}  // namespace

const std::set<std::string>& ip_adapter_flags() {
  static const std::set<std::string> flags{"ip-adapter", "image-encoder", "ip-image", "ip-scale",
                                           "feature-extractor"};
  return flags;
}

std::set<std::string> with_ip_adapter_flags(std::set<std::string> flags) {
  flags.insert(ip_adapter_flags().begin(), ip_adapter_flags().end());
  return flags;
}

std::optional<IPAdapterInput> ip_adapter_from_args(const Args& args, ModelBundle& bundle) {
  const auto file = args.get("ip-adapter");
  if (!file) {
    for (const char* flag : {"image-encoder", "ip-image", "ip-scale", "feature-extractor"})
      if (args.has(flag)) throw_bad_input("", std::string("--") + flag, "needs --ip-adapter FILE");
    return std::nullopt;
  }
  const std::string encoder_dir = args.require("image-encoder");
  const std::string image_path = args.require("ip-image");
  IPAdapterInput input;
  input.scale = args.get_double("ip-scale", 1.0);
  if (!std::isfinite(input.scale)) throw_bad_input("", "--ip-scale", "must be a finite number");
  input.adapter = IPAdapter::load(*file, *bundle.unet());
  CLIPVisionModelWithProjection encoder =
      load_clip_vision_model(encoder_dir, bundle.dtype(), bundle.device());
  const ClipImageProcessor processor(
      processor_config(args, bundle, encoder_dir, encoder->config().image_size));
  const at::Tensor pixels = processor.preprocess(read_rgb(image_path));
  input.image_embeds = input.adapter->encode_image(*encoder, pixels.to(bundle.device(), bundle.dtype()));
  return input;
}

}  // namespace storyscope::cli
