#include "core/training/concept_extractor.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/serialize/archive.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/analysis/attention_views.h"
#include "core/attention/composable_processor.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/json_text.h"
#include "core/models/unet/default_processors_guard.h"
#include "core/pipeline/inspect_image.h"
#include "core/schedulers/schedule_math.h"
#include "core/tensor/safetensors.h"
#include "core/training/checkpoint_folder.h"
#include "core/training/concept_losses.h"
#include "core/training/concept_tokens.h"
#include "core/training/diffusion_noising.h"
#include "core/training/training_attention.h"

namespace fs = std::filesystem;

namespace storyscope {

namespace {

using json = nlohmann::json;

constexpr int kCheckpointFormat = 1;
const char* const kLogHeader = "step,phase,diffusion_loss,attention_loss,seconds";

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(7);
  s << v;
  return s.str();
}

// FNV-1a over a tensor's float32 bytes: tells a checkpoint of another image or mask set apart.
std::string tensor_digest(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU, at::kFloat).contiguous();
  const auto* p = static_cast<const unsigned char*>(c.data_ptr());
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::int64_t i = 0; i < c.numel() * 4; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return std::to_string(h);
}

json options_json(const ConceptExtractionOptions& o) {
  return json{{"init_words", o.init_words},
              {"token_prefix", o.token_prefix},
              {"prompt_prefix", o.phrasing ? o.phrasing->prefix : std::string()},
              {"prompt_joiner", o.phrasing ? o.phrasing->joiner : std::string()},
              {"phase1_steps", o.phase1_steps},
              {"phase2_steps", o.phase2_steps},
              {"phase1_learning_rate", o.phase1_learning_rate},
              {"phase2_learning_rate", o.phase2_learning_rate},
              {"lambda_attention", o.lambda_attention},
              {"attention_resolution", o.attention_resolution},
              {"batch_size", o.batch_size},
              {"flip", o.flip},
              {"weight_decay", o.weight_decay},
              {"max_grad_norm", o.max_grad_norm},
              {"seed", o.seed}};
}

void validate_options(const ConceptExtractionOptions& o) {
  const char* where = "concept extraction";
  if (o.phase1_steps < 0 || o.phase2_steps < 0) throw_bad_input(where, "steps", "must be >= 0");
  if (o.batch_size < 1 || o.batch_size > 64) throw_bad_input(where, "batch_size", "must be in [1, 64]");
  if (!(o.phase1_learning_rate > 0) || !(o.phase2_learning_rate > 0))
    throw_bad_input(where, "learning rate", "must be > 0");
  if (!(o.lambda_attention >= 0) || !std::isfinite(o.lambda_attention))
    throw_bad_input(where, "lambda_attention", "must be a finite number >= 0");
  if (o.attention_resolution < 1) throw_bad_input(where, "attention_resolution", "must be >= 1");
  if (o.token_prefix.empty() || o.token_prefix.find_first_of(" \t\r\n<>") != std::string::npos)
    throw_bad_input(where, "token_prefix", "must be non-empty, without spaces or angle brackets");
}

}  // namespace

struct ConceptExtractor::Impl {
  std::shared_ptr<ComposableAttentionProcessor> processor = std::make_shared<ComposableAttentionProcessor>();
  std::shared_ptr<TrainingAttentionCapture> capture;
  at::Tensor latents;       // [2, C, h, w]: the image and its mirror
  at::Tensor latent_masks;  // [2, N, h, w]
  at::Tensor attn_masks;    // [2, N, r, r]
  at::Tensor alphas_cumprod;
  std::string prediction_type;
  std::int64_t train_timesteps = 1000;
  at::Tensor original_rows;  // the embedding table before the new rows, restored every step
  std::vector<std::pair<std::string, at::Tensor>> params;  // UNet + text encoder
  std::vector<at::Tensor> base;                            // their values before phase 2 (float32)
  std::unique_ptr<torch::optim::AdamW> optimizer;
  int optimizer_phase = 0;
  std::string input_digest;
  ModelProbe base_probe;  // of the model as given, before tokens or training changed it
  double seconds = 0.0;
  ConceptStepLosses last;
  std::vector<std::string> last_tokens;
  at::Tensor last_maps;
};

ConceptExtractor::ConceptExtractor(std::shared_ptr<ModelBundle> bundle, ConceptImage input,
                                   ConceptExtractionOptions options)
    : bundle_(std::move(bundle)), options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  validate_options(options_);
  if (!bundle_) throw_bad_input("concept extraction", "model", "no model");
  ModelBundle& b = *bundle_;
  const std::string src = input.source.empty() ? std::string("image") : input.source;
  if (b.dtype() != at::kFloat)
    throw_bad_input(b.source(), "dtype", "concept extraction trains in float32: load the model as float32");
  if (!input.image.defined() || input.image.dim() != 4 || input.image.size(0) != 1 ||
      input.image.size(1) != 3)
    throw_bad_input(src, "image", "expected [1, 3, H, W]");
  const auto H = input.image.size(2), W = input.image.size(3);
  const auto f = b.vae_scale_factor();
  if (H % f || W % f)
    throw_bad_input(
        src, "image size",
        std::to_string(W) + "x" + std::to_string(H) + " is not a multiple of " + std::to_string(f));
  if (!input.masks.defined() || input.masks.dim() != 3 || input.masks.size(0) < 1 ||
      input.masks.size(1) != H || input.masks.size(2) != W)
    throw_bad_input(src, "masks",
                    "expected [N, " + std::to_string(H) + ", " + std::to_string(W) + "] with N >= 1");
  const auto n = input.masks.size(0);
  if (!options_.init_words.empty() && static_cast<std::int64_t>(options_.init_words.size()) != n)
    throw_bad_input(
        "concept extraction", "init words",
        std::to_string(options_.init_words.size()) + " given for " + std::to_string(n) + " masks");
  const at::Tensor binary = (input.masks.to(at::kFloat) >= 0.5).to(at::kFloat);
  for (std::int64_t i = 0; i < n; ++i)
    if (binary[i].sum().item<double>() == 0)
      throw_bad_input(src, "mask " + std::to_string(i), "is empty (nothing painted)");

  if (!options_.phrasing) options_.phrasing = concept_phrasing_for(b.tokenizer());
  const SchedulerConfig& sc = b.scheduler_config();
  impl_->prediction_type = sc.prediction_type;
  impl_->train_timesteps = sc.num_train_timesteps;
  impl_->alphas_cumprod = schedule::alphas_cumprod(sc).to(at::kFloat).to(b.device());
  // Fails early for sample/v-less schedules instead of at the first step.
  diffusion_target(impl_->prediction_type, impl_->alphas_cumprod, at::zeros({1, 1}), at::zeros({1, 1}),
                   at::zeros({1}, at::kLong), b.source());

  {
    // The attention loss needs cross-attention layers at its grid; say which grids exist rather
    // than failing at the first step.
    const auto grids = cross_attention_grids(b.unet()->attention_layers(),
                                             b.unet()->config().sample_size.value_or(0), H / f, W / f);
    if (!grids.empty() && !grids.count(options_.attention_resolution)) {
      std::string list;
      for (auto g : grids) list += (list.empty() ? "" : ", ") + std::to_string(g);
      throw_bad_input(src, "image size",
                      std::to_string(W) + "x" + std::to_string(H) + " gives this model no " +
                          std::to_string(options_.attention_resolution) + "x" +
                          std::to_string(options_.attention_resolution) +
                          " cross-attention layer for the attention loss (its down/up grids here: " + list +
                          "); use an image size where one exists, or another attention resolution");
    }
  }
  const at::Tensor image = input.image.to(at::kFloat);
  const at::Tensor both = at::cat({image, image.flip(-1)}, 0);
  impl_->latents = encode_image_latents(b, both).to(at::kFloat);
  const auto h = impl_->latents.size(2), w = impl_->latents.size(3);
  const at::Tensor masks2 = at::stack({binary, binary.flip(-1)}, 0);
  impl_->latent_masks = nearest_resize(masks2, h, w).to(b.device());
  impl_->attn_masks =
      nearest_resize(masks2, options_.attention_resolution, options_.attention_resolution).to(b.device());
  impl_->input_digest = tensor_digest(image) + "-" + tensor_digest(binary);

  impl_->capture = std::make_shared<TrainingAttentionCapture>(options_.attention_resolution);
  impl_->processor->add_observer(impl_->capture);

  impl_->base_probe = probe_model(b);
  tokens_ = placeholder_tokens(options_.token_prefix, static_cast<std::size_t>(n));
  std::vector<at::Tensor> rows;
  for (std::int64_t i = 0; i < n; ++i)
    rows.push_back(initial_token_embedding(b, options_.init_words.empty() ? "" : options_.init_words[i]));
  token_ids_ = add_concept_tokens(b, tokens_, at::stack(rows, 0));
  impl_->original_rows = token_embedding_table(b).narrow(0, 0, token_ids_.front()).detach().clone();
  impl_->params = concept_trainable_parameters(b);
}

ConceptExtractor::~ConceptExtractor() = default;

namespace {

const char* const kTableName = "text_encoder.text_model.embeddings.token_embedding.weight";

void set_trainable(std::vector<std::pair<std::string, at::Tensor>>& params, const at::Tensor& only) {
  for (auto& [name, p] : params) p.set_requires_grad(!only.defined() || p.is_same(only));
}

// Marks what trains in `phase` and gives it a fresh AdamW (each phase starts its own moments).
void prepare_phase(std::vector<std::pair<std::string, at::Tensor>>& params, at::Tensor& table, int phase,
                   const ConceptExtractionOptions& o, std::unique_ptr<torch::optim::AdamW>& optimizer) {
  set_trainable(params, phase == 1 ? table : at::Tensor());
  std::vector<at::Tensor> trainable;
  if (phase == 1)
    trainable.push_back(table);
  else
    for (const auto& [name, p] : params) trainable.push_back(p);
  const double lr = phase == 1 ? o.phase1_learning_rate : o.phase2_learning_rate;
  optimizer = std::make_unique<torch::optim::AdamW>(trainable, torch::optim::AdamWOptions(lr)
                                                                   .betas({o.adam_beta1, o.adam_beta2})
                                                                   .eps(o.adam_eps)
                                                                   .weight_decay(o.weight_decay));
}

std::int64_t table_parameter_index(const std::vector<std::pair<std::string, at::Tensor>>& params) {
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].first == kTableName) return static_cast<std::int64_t>(i);
  throw_model_error("text encoder", kTableName, "missing");
}

}  // namespace

ConceptStepLosses ConceptExtractor::train_step() {
  if (step_ >= total_steps()) throw_bad_input("concept extraction", "step", "both phases are done");
  Impl& m = *impl_;
  ModelBundle& b = *bundle_;
  const int want_phase = phase();
  if (m.optimizer_phase != want_phase) {
    at::Tensor& table = token_embedding_table(b);
    if (want_phase == 2 && m.base.empty()) {
      at::NoGradGuard no_grad;
      for (const auto& [name, p] : m.params) m.base.push_back(p.detach().to(at::kFloat).clone());
    }
    prepare_phase(m.params, table, want_phase, options_, m.optimizer);
    m.optimizer_phase = want_phase;
  }

  // Every draw of this step from one generator seeded by (seed, step).
  auto gen =
      at::make_generator<at::CPUGeneratorImpl>(step_seed(options_.seed, static_cast<std::uint64_t>(step_)));
  const int batch = options_.batch_size;
  const auto n = static_cast<std::int64_t>(tokens_.size());
  std::vector<std::vector<std::int64_t>> chosen(batch);
  std::vector<std::int64_t> flips(batch);
  for (int r = 0; r < batch; ++r) {
    const auto k = at::randint(1, n + 1, {1}, gen, at::TensorOptions().dtype(at::kLong)).item<std::int64_t>();
    const at::Tensor perm = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
    for (std::int64_t i = 0; i < k; ++i) chosen[r].push_back(perm[i].item<std::int64_t>());
    const double u = at::rand({1}, gen, at::TensorOptions().dtype(at::kDouble)).item<double>();
    flips[r] = options_.flip && u < 0.5 ? 1 : 0;
  }
  const at::Tensor t = at::randint(0, m.train_timesteps, {batch}, gen, at::TensorOptions().dtype(at::kLong));
  const at::Tensor eps = at::randn({batch, m.latents.size(1), m.latents.size(2), m.latents.size(3)}, gen,
                                   at::TensorOptions().dtype(at::kFloat));

  ConceptStepLosses losses;
  at::Tensor loss = [&] {
    std::vector<std::vector<std::int64_t>> positions;
    std::vector<at::Tensor> x0, unions;
    std::vector<std::int64_t> ids;
    const ClipTokenizer& tok = b.tokenizer();
    const int length = tok.model_max_length();
    for (int r = 0; r < batch; ++r) {
      std::vector<std::string> words;
      for (auto j : chosen[r]) words.push_back(tokens_[j]);
      const auto row = tok.encode_padded(options_.phrasing->prompt(words), length);
      std::vector<std::int64_t> pos;
      for (auto j : chosen[r]) {
        const auto it = std::find(row.begin(), row.end(), token_ids_[j]);
        if (it == row.end())
          throw_bad_input("concept extraction", "prompt", "the token " + tokens_[j] + " fell off the prompt");
        pos.push_back(it - row.begin());
      }
      positions.push_back(pos);
      ids.insert(ids.end(), row.begin(), row.end());
      x0.push_back(m.latents[flips[r]]);
      const at::Tensor sel = at::tensor(chosen[r], at::TensorOptions().dtype(at::kLong)).to(b.device());
      unions.push_back(std::get<0>(m.latent_masks[flips[r]].index_select(0, sel).max(0)));
    }
    const c10::Device dev = b.device();
    const at::Tensor id_tensor =
        at::tensor(ids, at::TensorOptions().dtype(at::kLong)).view({batch, length}).to(dev);
    const at::Tensor context = b.text_encoder()->forward(id_tensor).last_hidden_state;
    const at::Tensor clean = at::stack(x0, 0);
    const at::Tensor noise = eps.to(dev), steps = t.to(dev);
    const at::Tensor xt = noisy_sample(m.alphas_cumprod, clean, noise, steps);
    m.capture->clear();
    // The capture sits on the UNet only for the extractor's own passes: generating with the
    // bundle afterwards records nothing.
    DefaultProcessorsGuard installed(b.unet(), m.processor);
    StepInfo info;
    info.index = static_cast<int>(step_);
    info.timestep = static_cast<double>(t[0].item<std::int64_t>());
    const at::Tensor pred = b.unet()->forward(xt, steps, context, {}, info).to(at::kFloat);
    const at::Tensor target =
        diffusion_target(m.prediction_type, m.alphas_cumprod, clean, noise, steps, b.source());
    const at::Tensor diffusion = masked_diffusion_loss(pred, target, at::stack(unions, 0).unsqueeze(1));

    const at::Tensor maps = m.capture->p2p_maps().to(at::kFloat);  // [B, r, r, M]
    at::Tensor attention = at::zeros({}, maps.options());
    std::vector<at::Tensor> shown;
    for (int r = 0; r < batch; ++r)
      for (std::size_t i = 0; i < chosen[r].size(); ++i) {
        const at::Tensor a = maps[r].select(-1, positions[r][i]);
        attention = attention + attention_mask_loss(a, m.attn_masks[flips[r]][chosen[r][i]]);
        if (r == 0) {
          const at::Tensor d = a.detach().to(at::kCPU);
          const double peak = d.max().item<double>();
          shown.push_back(peak > 0 ? d / peak : d);
        }
      }
    attention = attention / batch;
    m.last_tokens.clear();
    for (auto j : chosen[0]) m.last_tokens.push_back(tokens_[j]);
    m.last_maps = at::stack(shown, 0);
    losses.diffusion = diffusion.item<double>();
    losses.attention = attention.item<double>();
    return diffusion + options_.lambda_attention * attention;
  }();
  losses.total = loss.item<double>();
  if (!std::isfinite(losses.total))
    throw_model_error(b.source(), "concept extraction step " + std::to_string(step_ + 1),
                      "the loss is not finite: lower the learning rate");

  m.optimizer->zero_grad();
  loss.backward();
  m.capture->clear();  // the maps hold the step's graph
  std::vector<at::Tensor> trainable;
  for (const auto& group : m.optimizer->param_groups())
    for (const auto& p : group.params()) trainable.push_back(p);
  if (options_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(trainable, options_.max_grad_norm);
  m.optimizer->step();
  {
    // Only the new rows learn: every other row goes back to its exact old value.
    at::NoGradGuard no_grad;
    token_embedding_table(b).narrow(0, 0, m.original_rows.size(0)).copy_(m.original_rows);
  }
  ++step_;
  m.last = losses;
  return losses;
}

ConceptStepLosses ConceptExtractor::evaluate(std::uint64_t seed, int samples) {
  Impl& m = *impl_;
  ModelBundle& b = *bundle_;
  at::NoGradGuard no_grad;
  const auto n = static_cast<std::int64_t>(tokens_.size());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(step_seed(seed, 0x5eedULL));
  const at::Tensor t =
      at::randint(0, m.train_timesteps, {samples}, gen, at::TensorOptions().dtype(at::kLong));
  const at::Tensor eps = at::randn({samples, m.latents.size(1), m.latents.size(2), m.latents.size(3)}, gen,
                                   at::TensorOptions().dtype(at::kFloat));
  const auto row =
      b.tokenizer().encode_padded(options_.phrasing->prompt(tokens_), b.tokenizer().model_max_length());
  std::vector<std::int64_t> ids;
  for (int s = 0; s < samples; ++s) ids.insert(ids.end(), row.begin(), row.end());
  const c10::Device dev = b.device();
  const at::Tensor context =
      b.text_encoder()
          ->forward(at::tensor(ids, at::TensorOptions().dtype(at::kLong)).view({samples, -1}).to(dev))
          .last_hidden_state;
  const at::Tensor clean = m.latents[0].unsqueeze(0).expand({samples, -1, -1, -1});
  const at::Tensor noise = eps.to(dev), steps = t.to(dev);
  m.capture->clear();
  DefaultProcessorsGuard installed(b.unet(), m.processor);
  const at::Tensor pred =
      b.unet()->forward(noisy_sample(m.alphas_cumprod, clean, noise, steps), steps, context).to(at::kFloat);
  const at::Tensor target =
      diffusion_target(m.prediction_type, m.alphas_cumprod, clean, noise, steps, b.source());
  const at::Tensor all = std::get<0>(m.latent_masks[0].max(0)).view({1, 1, clean.size(2), clean.size(3)});
  ConceptStepLosses out;
  out.diffusion = masked_diffusion_loss(pred, target, all.expand({samples, 1, -1, -1})).item<double>();
  const at::Tensor maps = m.capture->p2p_maps().to(at::kFloat);
  double attention = 0.0;
  for (int s = 0; s < samples; ++s)
    for (std::int64_t j = 0; j < n; ++j) {
      const auto pos = std::find(row.begin(), row.end(), token_ids_[j]) - row.begin();
      attention += attention_mask_loss(maps[s].select(-1, pos), m.attn_masks[0][j]).item<double>();
    }
  out.attention = attention / samples;
  m.capture->clear();
  out.total = out.diffusion + options_.lambda_attention * out.attention;
  return out;
}

ConceptPack ConceptExtractor::pack() const {
  const Impl& m = *impl_;
  ModelBundle& b = *bundle_;
  at::NoGradGuard no_grad;
  ConceptPack pack;
  const at::Tensor& table = token_embedding_table(b);
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    LearnedConcept c;
    c.token = tokens_[i];
    c.init_word = options_.init_words.empty() ? "" : options_.init_words[i];
    c.embedding = table[token_ids_[i]].detach().to(at::kCPU, at::kFloat).clone();
    pack.concepts.push_back(std::move(c));
  }
  for (std::size_t i = 0; i < m.base.size(); ++i) {
    const auto& [name, p] = m.params[i];
    if (name == kTableName) continue;  // its new rows are the concepts, the others never change
    const at::Tensor delta = p.detach().to(at::kFloat) - m.base[i];
    if (delta.abs().max().item<double>() > 0) pack.weight_deltas[name] = delta.to(at::kCPU);
  }
  pack.base = m.base_probe;
  pack.base_source = b.source();
  pack.report = json{{"options", options_json(options_)}, {"steps_done", step_}};
  return pack;
}

void ConceptExtractor::save_checkpoint() {
  if (options_.out_dir.empty()) return;
  const Impl& m = *impl_;
  ModelBundle& b = *bundle_;
  replace_checkpoint_folder(options_.out_dir, [&](const std::string& dir) {
    at::NoGradGuard no_grad;
    const fs::path d = dir;
    std::vector<std::pair<std::string, at::Tensor>> rows = {
        {"rows", token_embedding_table(b)
                     .narrow(0, token_ids_.front(), static_cast<std::int64_t>(token_ids_.size()))
                     .detach()
                     .to(at::kCPU, at::kFloat)
                     .contiguous()}};
    if (!m.base.empty()) {
      // Phase 2: the rows the deltas are measured from, and every weight as it is now (float32
      // values, not deltas: base + (w - base) is not always w in floating point, and resuming
      // must be bit-exact).
      const std::int64_t table_index = table_parameter_index(m.params);
      rows.emplace_back("phase2_start_rows",
                        m.base[table_index]
                            .narrow(0, token_ids_.front(), static_cast<std::int64_t>(token_ids_.size()))
                            .to(at::kCPU)
                            .contiguous());
      std::vector<std::pair<std::string, at::Tensor>> weights;
      for (const auto& [name, p] : m.params)
        weights.emplace_back(name, p.detach().to(at::kCPU, at::kFloat).contiguous());
      write_safetensors((d / "weights.safetensors").string(), weights);
    }
    write_safetensors((d / "rows.safetensors").string(), rows);
    if (m.optimizer) {
      torch::serialize::OutputArchive archive;
      m.optimizer->save(archive);
      std::ostringstream bytes;
      archive.save_to(bytes);
      write_file_atomically((d / "optimizer.pt").string(), bytes.str());
    }
    const json state = {{"format", kCheckpointFormat},
                        {"step", step_},
                        {"optimizer_phase", m.optimizer_phase},
                        {"tokens", tokens_},
                        {"input", m.input_digest},
                        {"base_structure", m.base_probe.structure},
                        {"seconds", m.seconds},
                        {"options", options_json(options_)}};
    write_file_atomically((d / "state.json").string(), state.dump(2) + "\n");
  });
}

bool ConceptExtractor::resume() {
  if (options_.out_dir.empty()) return false;
  const std::string dir = find_checkpoint_folder(options_.out_dir);
  if (dir.empty()) return false;
  Impl& m = *impl_;
  ModelBundle& b = *bundle_;
  const std::string state_path = (fs::path(dir) / "state.json").string();
  const json state = parse_json_text(read_file(state_path), state_path);
  if (!state.is_object() || state.value("format", 0) != kCheckpointFormat)
    throw_bad_input(state_path, "format", "not a concept extraction checkpoint of this version");
  if (state.value("input", std::string()) != m.input_digest)
    throw_bad_input(state_path, "input",
                    "the checkpoint was made from another image or other masks: use another --out");
  if (state.value("base_structure", std::string()) != m.base_probe.structure)
    throw_bad_input(state_path, "base_structure", "the checkpoint was made on another model");
  json mine = options_json(options_), theirs = state.value("options", json::object());
  // Step counts may grow on resume (train longer); everything else must match.
  for (auto* doc : {&mine, &theirs}) {
    doc->erase("phase1_steps");
    doc->erase("phase2_steps");
  }
  if (mine != theirs)
    throw_bad_input(state_path, "options",
                    "the checkpoint was made with other options (" + theirs.dump() +
                        "): use the same options or another --out");
  const std::int64_t step = state.at("step").get<std::int64_t>();
  if (step > options_.phase1_steps &&
      state.value("options", json::object()).value("phase1_steps", -1) != options_.phase1_steps)
    throw_bad_input(state_path, "phase1_steps", "cannot change once phase 2 has started");

  at::NoGradGuard no_grad;
  const auto rows_file = SafetensorsFile::open((fs::path(dir) / "rows.safetensors").string());
  const at::Tensor rows = rows_file->tensor("rows");
  if (rows.dim() != 2 || rows.size(0) != static_cast<std::int64_t>(token_ids_.size()))
    throw_bad_input(rows_file->path(), "rows", "do not match the tokens");
  token_embedding_table(b).narrow(0, token_ids_.front(), rows.size(0)).copy_(rows);
  const fs::path weights_path = fs::path(dir) / "weights.safetensors";
  if (fs::exists(weights_path)) {
    if (!rows_file->contains("phase2_start_rows"))
      throw_bad_input(rows_file->path(), "phase2_start_rows", "missing from a phase-2 checkpoint");
    token_embedding_table(b)
        .narrow(0, token_ids_.front(), rows.size(0))
        .copy_(rows_file->tensor("phase2_start_rows"));
    m.base.clear();
    for (const auto& [name, p] : m.params) m.base.push_back(p.detach().to(at::kFloat).clone());
    const auto weights = SafetensorsFile::open(weights_path.string());
    for (auto& [name, p] : m.params) {
      if (!weights->contains(name)) throw_bad_input(weights->path(), name, "missing from the checkpoint");
      const at::Tensor w = weights->tensor(name);
      if (w.sizes() != p.sizes())
        throw_bad_input(weights->path(), name, "has another shape than the model's");
      p.set_data(w.to(p.device(), p.scalar_type()).clone());
    }
  }
  step_ = step;
  m.seconds = state.value("seconds", 0.0);
  const int phase = state.value("optimizer_phase", 0);
  if (phase > 0 && fs::exists(fs::path(dir) / "optimizer.pt") && phase == this->phase()) {
    const int want = this->phase();
    prepare_phase(m.params, token_embedding_table(b), want, options_, m.optimizer);
    torch::serialize::InputArchive archive;
    std::istringstream bytes(read_file((fs::path(dir) / "optimizer.pt").string()));
    archive.load_from(bytes, b.device());
    m.optimizer->load(archive);
    m.optimizer_phase = want;
  }
  keep_log_rows_up_to((fs::path(options_.out_dir) / "loss_log.csv").string(), kLogHeader, step_);
  return true;
}

ExtractionResult ConceptExtractor::run(const std::function<void(const ExtractionProgress&)>& progress,
                                       const CancellationToken& cancel) {
  using clock = std::chrono::steady_clock;
  Impl& m = *impl_;
  const std::string log =
      options_.out_dir.empty() ? std::string() : (fs::path(options_.out_dir) / "loss_log.csv").string();
  if (!log.empty()) {
    fs::create_directories(options_.out_dir);
    if (step_ == 0 || !fs::exists(log)) write_file_atomically(log, std::string(kLogHeader) + "\n");
  }
  ExtractionResult result;
  const auto start = clock::now();
  const std::int64_t first = step_;
  bool checkpointed = true;
  while (step_ < total_steps()) {
    if (cancel.cancelled()) {
      result.cancelled = true;
      break;
    }
    const int phase_of_step = phase();
    const auto t0 = clock::now();
    const ConceptStepLosses losses = train_step();
    m.seconds += std::chrono::duration<double>(clock::now() - t0).count();
    checkpointed = false;
    if (!log.empty()) {
      std::ofstream out(log, std::ios::app);
      out << step_ << ',' << phase_of_step << ',' << format_number(losses.diffusion) << ','
          << format_number(losses.attention) << ',' << format_number(m.seconds) << '\n';
    }
    if (!options_.out_dir.empty() && options_.checkpoint_every > 0 &&
        step_ % options_.checkpoint_every == 0) {
      save_checkpoint();
      checkpointed = true;
    }
    if (progress) {
      ExtractionProgress p;
      p.step = step_;
      p.total = total_steps();
      p.phase = phase_of_step;
      p.losses = losses;
      const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
      p.steps_per_second = elapsed > 0 ? static_cast<double>(step_ - first) / elapsed : 0.0;
      p.eta_seconds =
          p.steps_per_second > 0 ? static_cast<double>(total_steps() - step_) / p.steps_per_second : 0.0;
      p.tokens = m.last_tokens;
      p.maps = m.last_maps;
      p.checkpointed = checkpointed;
      progress(p);
    }
  }
  if (!checkpointed && !options_.out_dir.empty()) save_checkpoint();
  result.steps_done = step_;
  result.last = m.last;
  return result;
}

}  // namespace storyscope
