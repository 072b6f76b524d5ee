// storyscope-cli forward: run one model component on named inputs from a safetensors file and
// write named outputs, so researchers and tests can check parity with other tools.
#include <ATen/ATen.h>
#include <torch/nn.h>

#include <iostream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/attention/composable_processor.h"
#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/models/component_files.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/models/vae/autoencoder_kl.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/splitmix.h"
#include "core/text/clip_text_model.h"

using namespace storyscope;

namespace {

struct Source {
  std::string config;
  bool synthetic = false;
  ComponentFiles files;
};

Source resolve_source(const cli::Args& args, const std::string& subfolder) {
  Source s;
  if (args.get("model")) {
    if (args.has("synthetic-weights"))
      throw_bad_input("", "--synthetic-weights", "use it with --config, not --model");
    s.files = locate_component(*args.get("model"), args.get("subfolder").value_or(subfolder));
    s.config = s.files.config;
  } else if (args.get("config")) {
    s.config = *args.get("config");
    if (!args.has("synthetic-weights"))
      throw_bad_input("", "--config", "needs --synthetic-weights (or use --model DIR for real weights)");
    s.synthetic = true;
  } else {
    throw_bad_input("", "--model", "give --model DIR, or --config FILE --synthetic-weights");
  }
  return s;
}

void load_weights(torch::nn::Module& module, const Source& source) {
  if (source.synthetic) {
    fill_splitmix(module);
    return;
  }
  load_state_dict(module, load_component_weights(source.files), source.files.folder);
}

const at::Tensor& input(const std::map<std::string, at::Tensor>& inputs, const std::string& inputs_path,
                        std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const auto it = inputs.find(n);
    if (it != inputs.end()) return it->second;
  }
  throw_bad_input(inputs_path, std::string("tensor \"") + *names.begin() + "\"", "required input is missing");
}

at::Tensor optional_input(const std::map<std::string, at::Tensor>& inputs, const char* name) {
  const auto it = inputs.find(name);
  return it == inputs.end() ? at::Tensor() : it->second;
}

using Outputs = std::vector<std::pair<std::string, at::Tensor>>;

// --capture cross: every attn2 layer's full probabilities in diffusers' layout
// [batch*heads, HW, tokens] (row = b*heads + h, as head_to_batch_dim), keyed by the diffusers
// processor name so they compare directly with attention captures made in Python.
class CrossProbsCapture : public AttentionObserver {
 public:
  bool wants(const LayerInfo& layer) const override { return layer.is_cross; }
  void observe(const LayerInfo& layer, const StepInfo&, const at::Tensor& probs) override {
    const std::string key = "attn_probs/" + layer.name + ".processor";
    at::Tensor rows = probs.reshape({probs.size(0) * probs.size(1), probs.size(2), probs.size(3)})
                          .to(at::kCPU, at::kFloat)
                          .clone();
    for (auto& [name, t] : captured)
      if (name == key) {
        t = rows;
        return;
      }
    captured.emplace_back(key, rows);
  }
  Outputs captured;
};

Outputs run_unet(const cli::Args& args, const std::map<std::string, at::Tensor>& in,
                 const std::string& in_path) {
  const Source src = resolve_source(args, "unet");
  UNet2DConditionModel unet(UNetConfig::from_file(src.config));
  load_weights(*unet, src);
  at::Tensor timestep;
  if (args.get("timestep")) {
    timestep = at::scalar_tensor(args.get_double("timestep", 0), at::kDouble);
    if (timestep.item<double>() == std::floor(timestep.item<double>())) timestep = timestep.to(at::kLong);
  } else {
    timestep = input(in, in_path, {"timestep"});
  }
  const std::string capture = args.get("capture").value_or("");
  if (!capture.empty() && capture != "cross")
    throw_bad_input("", "--capture", "\"" + capture + "\" is not a capture; the one there is: cross");
  auto capturer = std::make_shared<CrossProbsCapture>();
  if (!capture.empty()) {
    auto processor = std::make_shared<ComposableAttentionProcessor>();
    processor->add_observer(capturer);
    unet->set_attn_processor([processor](const LayerInfo&) { return processor; });
  }
  UNetAddedCond added{optional_input(in, "text_embeds"), optional_input(in, "time_ids")};
  auto out = unet->forward(input(in, in_path, {"sample"}).to(at::kFloat), timestep,
                           input(in, in_path, {"encoder_hidden_states"}).to(at::kFloat), added);
  Outputs outputs{{"noise_pred", out}};
  outputs.insert(outputs.end(), capturer->captured.begin(), capturer->captured.end());
  return outputs;
}

Outputs run_vae(const cli::Args& args, const std::map<std::string, at::Tensor>& in,
                const std::string& in_path, bool decode) {
  const Source src = resolve_source(args, "vae");
  AutoencoderKL vae(VAEConfig::from_file(src.config));
  load_weights(*vae, src);
  if (decode)
    return {{"decoded_image", vae->decode(input(in, in_path, {"latent", "latents"}).to(at::kFloat))}};
  auto posterior = vae->encode(input(in, in_path, {"image"}).to(at::kFloat));
  return {{"posterior_mean", posterior.mean}, {"posterior_logvar", posterior.logvar}};
}

Outputs run_text_encoder(const cli::Args& args, const std::map<std::string, at::Tensor>& in,
                         const std::string& in_path) {
  const Source src = resolve_source(args, "text_encoder");
  const ClipTextConfig cfg = ClipTextConfig::from_file(src.config);
  const at::Tensor ids = input(in, in_path, {"input_ids"}).to(at::kLong);
  ClipTextOutput o;
  if (cfg.has_projection()) {
    CLIPTextModelWithProjection model(cfg);
    load_weights(*model, src);
    o = model->forward(ids);
  } else {
    CLIPTextModel model(cfg);
    load_weights(*model, src);
    o = model->forward(ids);
  }
  Outputs out = {{"last_hidden_state", o.last_hidden_state},
                 {"penultimate_hidden_state", o.penultimate_hidden_state},
                 {"pooler_output", o.pooler_output}};
  if (o.text_embeds.defined()) out.emplace_back("text_embeds", o.text_embeds);
  return out;
}

int cmd_forward(int argc, char** argv) {
  cli::Args args(argc, argv,
                 {"component", "model", "subfolder", "config", "inputs", "out", "timestep", "capture"},
                 {"synthetic-weights"});
  const std::string component = args.require("component");
  const std::string in_path = args.require("inputs");
  const std::string out_path = args.require("out");
  if (args.get("capture") && component != "unet")
    throw_bad_input("", "--capture", "only --component unet has attention to capture");
  const auto inputs = load_safetensors(in_path);
  at::NoGradGuard no_grad;
  Outputs outputs;
  if (component == "unet")
    outputs = run_unet(args, inputs, in_path);
  else if (component == "vae-decode")
    outputs = run_vae(args, inputs, in_path, true);
  else if (component == "vae-encode")
    outputs = run_vae(args, inputs, in_path, false);
  else if (component == "text-encoder")
    outputs = run_text_encoder(args, inputs, in_path);
  else
    throw_bad_input("", "--component",
                    "\"" + component + "\" is not one of unet, vae-decode, vae-encode, text-encoder");
  for (auto& [name, t] : outputs) t = t.contiguous();
  write_safetensors(out_path, outputs, {{"component", component}});
  for (const auto& [name, t] : outputs)
    std::cerr << name << " " << shape_to_string(t.sizes().vec()) << " mean " << t.mean().item<double>()
              << " std " << t.std().item<double>() << "\n";
  return 0;
}

}  // namespace

STORYSCOPE_CLI_COMMAND("forward", cmd_forward,
                       "run one model component (unet, vae-decode, vae-encode, text-encoder)");
