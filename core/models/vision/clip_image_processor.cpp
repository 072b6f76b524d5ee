#include "core/models/vision/clip_image_processor.h"

#include <ATen/ATen.h>

#include <filesystem>

#include "core/common/error.h"
#include "core/config/json_fields.h"
#include "core/models/vision/pil_resize.h"
#include "core/tensor/state_dict.h"

namespace storyscope {
namespace {

constexpr const char* kImage = "IP image";

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t ceil_half(std::int64_t a) { return (a + 1) / 2; }  // a >= 0

std::array<double, 3> read_triple(const JsonFields& f, const char* key,
                                  const std::array<double, 3>& fallback) {
  const std::vector<double> v = f.get_double_list(key, {fallback.begin(), fallback.end()});
  if (v.size() != 3) f.fail(key, "expected 3 values (R, G, B), found " + std::to_string(v.size()));
  return {v[0], v[1], v[2]};
}

// transformers' center_crop, including its zero padding of images smaller than the crop.
at::Tensor center_crop(const at::Tensor& image, std::int64_t crop_h, std::int64_t crop_w) {
  const auto h = image.size(0), w = image.size(1);
  std::int64_t top = floor_div(h - crop_h, 2), left = floor_div(w - crop_w, 2);
  if (top >= 0 && left >= 0 && top + crop_h <= h && left + crop_w <= w)
    return image.slice(0, top, top + crop_h).slice(1, left, left + crop_w).contiguous();
  const auto new_h = std::max(crop_h, h), new_w = std::max(crop_w, w);
  at::Tensor padded = at::zeros({new_h, new_w, image.size(2)}, image.options());
  const auto top_pad = ceil_half(new_h - h), left_pad = ceil_half(new_w - w);
  padded.slice(0, top_pad, top_pad + h).slice(1, left_pad, left_pad + w).copy_(image);
  top += top_pad;
  left += left_pad;
  return padded.slice(0, std::max<std::int64_t>(0, top), std::min(new_h, top + crop_h))
      .slice(1, std::max<std::int64_t>(0, left), std::min(new_w, left + crop_w))
      .contiguous();
}

}  // namespace

ClipImageProcessorConfig ClipImageProcessorConfig::from_json(const JsonFields& f) {
  ClipImageProcessorConfig c;
  c.do_resize = f.get_bool("do_resize", c.do_resize);
  if (f.has("size")) {
    const auto& size = f.doc().at("size");
    if (size.is_number_integer()) {
      c.shortest_edge = size.get<std::int64_t>();
    } else if (size.is_object() && size.contains("shortest_edge") &&
               size.at("shortest_edge").is_number_integer()) {
      c.shortest_edge = size.at("shortest_edge").get<std::int64_t>();
    } else {
      f.fail("size", "expected {\"shortest_edge\": N} (CLIP resizes the shortest edge)");
    }
  }
  c.resample = static_cast<int>(f.get_int("resample", c.resample));
  if (c.resample != 3)
    f.fail("resample", "only 3 (bicubic) is supported, found " + std::to_string(c.resample));
  c.do_center_crop = f.get_bool("do_center_crop", c.do_center_crop);
  if (f.has("crop_size")) {
    const auto& crop = f.doc().at("crop_size");
    if (crop.is_number_integer()) {
      c.crop_height = c.crop_width = crop.get<std::int64_t>();
    } else if (crop.is_object() && crop.contains("height") && crop.contains("width") &&
               crop.at("height").is_number_integer() && crop.at("width").is_number_integer()) {
      c.crop_height = crop.at("height").get<std::int64_t>();
      c.crop_width = crop.at("width").get<std::int64_t>();
    } else {
      f.fail("crop_size", "expected {\"height\": H, \"width\": W} or one integer");
    }
  }
  c.do_rescale = f.get_bool("do_rescale", c.do_rescale);
  c.rescale_factor = f.get_double("rescale_factor", c.rescale_factor);
  c.do_normalize = f.get_bool("do_normalize", c.do_normalize);
  c.image_mean = read_triple(f, "image_mean", c.image_mean);
  c.image_std = read_triple(f, "image_std", c.image_std);
  if (c.shortest_edge <= 0) f.fail("size", "shortest_edge must be positive");
  if (c.crop_height <= 0 || c.crop_width <= 0) f.fail("crop_size", "must be positive");
  for (const double s : c.image_std)
    if (!(s > 0)) f.fail("image_std", "every value must be positive");
  return c;
}

ClipImageProcessorConfig ClipImageProcessorConfig::from_file(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path file = path;
  if (fs::is_directory(file)) {
    const fs::path direct = file / "preprocessor_config.json";
    file = fs::exists(direct) ? direct : file / "feature_extractor" / "preprocessor_config.json";
  }
  return from_json(JsonFields::from_file(file.string()));
}

at::Tensor ClipImageProcessor::resize_and_crop(const at::Tensor& image) const {
  if (image.scalar_type() != at::kByte || image.dim() != 3 || image.size(2) != 3)
    throw_bad_input(kImage, "pixels",
                    "must be uint8 RGB [H, W, 3], got " + shape_to_string(image.sizes().vec()) + " " +
                        std::string(c10::toString(image.scalar_type())));
  at::Tensor x = image.to(at::kCPU).contiguous();
  if (config_.do_resize) {
    const std::int64_t h = x.size(0), w = x.size(1);
    const std::int64_t short_side = std::min(h, w), long_side = std::max(h, w);
    const std::int64_t s = config_.shortest_edge;
    // transformers: int(size * long / short), a float division truncated.
    const auto new_long = static_cast<std::int64_t>(static_cast<double>(s) * long_side / short_side);
    const std::int64_t new_h = h <= w ? s : new_long, new_w = h <= w ? new_long : s;
    x = pil_bicubic_resize(x, new_w, new_h);
  }
  if (config_.do_center_crop) x = center_crop(x, config_.crop_height, config_.crop_width);
  return x;
}

at::Tensor ClipImageProcessor::normalize(const at::Tensor& cropped) const {
  // As transformers: the rescale multiplies in float64 then casts to float32; the normalisation
  // runs in float32 with float32 mean and std.
  at::Tensor x = cropped.to(at::kDouble);
  if (config_.do_rescale) x = x * config_.rescale_factor;
  x = x.to(at::kFloat);
  if (config_.do_normalize) {
    const auto triple = [](const std::array<double, 3>& v) {
      return at::tensor(std::vector<double>(v.begin(), v.end()), at::kDouble).to(at::kFloat);
    };
    x = (x - triple(config_.image_mean)) / triple(config_.image_std);
  }
  return x.permute({2, 0, 1}).unsqueeze(0).contiguous();
}

at::Tensor ClipImageProcessor::preprocess(const at::Tensor& image) const {
  return normalize(resize_and_crop(image));
}

}  // namespace storyscope
