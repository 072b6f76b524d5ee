#include "core/pipeline/story_dump.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include "core/pipeline/story_conditioning.h"
#include "core/tensor/safetensors.h"

namespace storyscope {
namespace {

nlohmann::json range_json(const TokenRange& r) { return nlohmann::json::array({r.first, r.last}); }

}  // namespace

void write_story_embeddings(ModelBundle& bundle, const StorySpec& spec, const std::string& path) {
  at::NoGradGuard no_grad;
  const int window = story_window_size(bundle, spec);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  nlohmann::json spans = nlohmann::json::object();
  for (int j = 0; j < static_cast<int>(spec.frames.size()); ++j) {
    const FrameConditioning c = story_frame_conditioning(bundle, spec, j, window);
    for (const EncoderConditioning& e : c.encoders) {
      const std::string key = "frame" + std::to_string(j) + "/" + e.encoder;
      tensors.emplace_back(key + "/ids", at::tensor(e.prompt.ids, at::kLong));
      tensors.emplace_back(key + "/before", e.before.squeeze(0).to(at::kCPU, at::kFloat).contiguous());
      tensors.emplace_back(key + "/after", e.after.squeeze(0).to(at::kCPU, at::kFloat).contiguous());
      nlohmann::json suppress = nlohmann::json::array();
      for (const TokenRange& r : e.prompt.suppress) suppress.push_back(range_json(r));
      spans[key] = {{"P0", range_json(e.prompt.identity)},
                    {"express", range_json(e.prompt.express)},
                    {"suppress", suppress},
                    {"eot", e.prompt.eot},
                    {"window", e.prompt.window},
                    {"text", e.prompt.text}};
    }
  }
  write_safetensors(path, tensors,
                    {{"spans", spans.dump()},
                     {"story", story_to_json(spec).dump()},
                     {"window_size", std::to_string(window)},
                     {"svr_mode", svr_mode_name(spec.svr_mode)}});
}

}  // namespace storyscope
