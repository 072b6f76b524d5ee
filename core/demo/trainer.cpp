#include "core/demo/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/serialize/archive.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/json_fields.h"
#include "core/config/scheduler_config.h"
#include "core/config/unet_config.h"
#include "core/models/uninitialized.h"
#include "core/pipeline/memory_estimate.h"
#include "core/schedulers/schedule_math.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"
#include "core/training/checkpoint_folder.h"
#include "core/training/diffusion_noising.h"

namespace fs = std::filesystem;

namespace storyscope {

struct DiffusionTrainer::Noise {
  std::vector<bool> drop_caption;  // classifier-free dropout per example
  at::Tensor timesteps;            // int64 [B] on the CPU
  at::Tensor noise;                // float32 [B, C, H, W] on the CPU
};

struct DiffusionTrainer::OptimizerHolder {
  explicit OptimizerHolder(const std::vector<at::Tensor>& params, const TrainerOptions& o)
      : adamw(params, torch::optim::AdamWOptions(o.learning_rate)
                          .betas({o.adam_beta1, o.adam_beta2})
                          .eps(o.adam_eps)
                          .weight_decay(o.weight_decay)) {}
  torch::optim::AdamW adamw;
};

namespace {

using json = nlohmann::json;

constexpr int kCheckpointFormat = 1;
// Far beyond any training step, so the held-out batch is never trained on.
constexpr std::uint64_t kValidationBatchIndex = 0x7fff'ffff'ffffULL;
constexpr std::uint64_t kValidationNoiseSalt = 0x5eed'0f'0a1dULL;
const char* const kLogHeader = "step,loss,ema_loss,lr,seconds,val_loss_caption,val_loss_empty";

void write_json(const fs::path& path, const json& doc) {
  write_file_atomically(path.string(), doc.dump(2) + "\n");
}

// transformers' CLIPPreTrainedModel._init_weights (initializer_factor 1): embeddings N(0, 0.02),
// attention projections N(0, d^-0.5 (2 L)^-0.5), fc1 N(0, (2 d)^-0.5), fc2 like the
// projections, zero biases. LibTorch's Linear default would start the residual stream much
// hotter than CLIP expects.
void initialize_clip_text(CLIPTextModel& model) {
  torch::NoGradGuard no_grad;
  const auto& c = model->config();
  const double d = static_cast<double>(c.hidden_size);
  const double proj_std = std::pow(d, -0.5) * std::pow(2.0 * c.num_hidden_layers, -0.5);
  const double fc_std = std::pow(2.0 * d, -0.5);
  auto& tm = *model->text_model;
  tm.embeddings->token_embedding->weight.normal_(0.0, 0.02);
  tm.embeddings->position_embedding->weight.normal_(0.0, 0.02);
  for (const auto& child : tm.encoder->modules(false)) {
    if (auto attn = std::dynamic_pointer_cast<ClipAttentionImpl>(child)) {
      for (auto* lin : {&attn->q_proj, &attn->k_proj, &attn->v_proj, &attn->out_proj}) {
        (*lin)->weight.normal_(0.0, proj_std);
        (*lin)->bias.zero_();
      }
    } else if (auto mlp = std::dynamic_pointer_cast<ClipMlpImpl>(child)) {
      mlp->fc1->weight.normal_(0.0, fc_std);
      mlp->fc1->bias.zero_();
      mlp->fc2->weight.normal_(0.0, proj_std);
      mlp->fc2->bias.zero_();
    }
  }
}

std::vector<std::pair<std::string, at::Tensor>> with_prefix_removed(const std::vector<std::string>& names,
                                                                    const std::vector<at::Tensor>& tensors,
                                                                    const std::string& prefix, bool half) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].compare(0, prefix.size(), prefix) != 0) continue;
    at::Tensor t = tensors[i].detach().to(at::kCPU);
    out.emplace_back(names[i].substr(prefix.size()), half ? t.to(at::kHalf) : t.to(at::kFloat));
  }
  return out;
}

void copy_into(std::vector<at::Tensor>& dst, const std::vector<std::string>& names,
               const std::shared_ptr<const SafetensorsFile>& file) {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!file->contains(names[i]))
      throw_model_error(file->path(), names[i],
                        "missing from the checkpoint (was it made by another model?)");
    const at::Tensor t = file->tensor(names[i]);
    if (t.sizes() != dst[i].sizes())
      throw_model_error(file->path(), names[i],
                        "shape " + shape_to_string(t.sizes().vec()) + " but the model has " +
                            shape_to_string(dst[i].sizes().vec()));
    dst[i].copy_(t);
  }
}

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(7);
  s << v;
  return s.str();
}

}  // namespace

DiffusionTrainer::DiffusionTrainer(TrainerOptions options, std::shared_ptr<const TrainingDataSource> data)
    : options_(std::move(options)),
      data_(std::move(data)),
      tokenizer_(ClipTokenizer::from_folder(options_.tokenizer_dir)) {
  const auto& o = options_;
  if (!data_) throw_bad_input("trainer", "data", "no training data source");
  if (o.out_dir.empty()) throw_bad_input("trainer", "out_dir", "an output folder is required");
  if (o.steps < 0) throw_bad_input("trainer", "steps", "must be >= 0");
  if (o.batch_size < 1) throw_bad_input("trainer", "batch_size", "must be >= 1");
  if (o.caption_dropout < 0 || o.caption_dropout > 1)
    throw_bad_input("trainer", "caption_dropout", "must be in [0, 1]");
  if (o.ema_decay < 0 || o.ema_decay >= 1) throw_bad_input("trainer", "ema_decay", "must be in [0, 1)");
  if (!(o.high_noise_weight >= 1 && o.high_noise_weight <= 1e4))
    throw_bad_input("trainer", "high_noise_weight", "must be in [1, 10000]");
  if (!(o.learning_rate > 0)) throw_bad_input("trainer", "learning_rate", "must be > 0");
  if (o.validation_batch_size < 1) throw_bad_input("trainer", "validation_batch_size", "must be >= 1");

  const UNetConfig unet_config = UNetConfig::from_json(o.unet_config, "unet/config.json");
  const ClipTextConfig text_config =
      ClipTextConfig::from_json(JsonFields(o.text_encoder_config, "text_encoder/config.json"));
  if (unet_config.cross_attention_dim.empty() ||
      unet_config.cross_attention_dim[0] != text_config.hidden_size)
    throw_bad_input(
        "unet/config.json", "cross_attention_dim",
        "must equal the text encoder's hidden_size (" + std::to_string(text_config.hidden_size) + ")");
  if (static_cast<std::int64_t>(tokenizer_.vocab_size()) > text_config.vocab_size)
    throw_bad_input(
        "text_encoder/config.json", "vocab_size",
        "smaller than the tokenizer's vocabulary (" + std::to_string(tokenizer_.vocab_size()) + ")");
  if (tokenizer_.model_max_length() > text_config.max_position_embeddings)
    throw_bad_input("text_encoder/config.json", "max_position_embeddings",
                    "shorter than the tokenizer's model_max_length");

  const SchedulerConfig schedule =
      SchedulerConfig::from_json(o.scheduler_config, "scheduler/scheduler_config.json", "DDPMScheduler");
  if (schedule.prediction_type != "epsilon")
    throw_bad_input("scheduler/scheduler_config.json", "prediction_type", "the trainer learns epsilon only");
  num_train_timesteps_ = schedule.num_train_timesteps;
  alphas_cumprod_ = schedule::alphas_cumprod(schedule).to(at::kFloat).to(o.device);

  // Every random initial weight comes from the global generator, seeded here.
  torch::manual_seed(o.seed);
  unet_ = UNet2DConditionModel(unet_config);
  unet_->initialize_weights();
  text_encoder_ = CLIPTextModel(text_config);
  initialize_clip_text(text_encoder_);
  unet_->to(o.device);
  text_encoder_->to(o.device);
  unet_->train();
  text_encoder_->train();

  for (const auto& [prefix, module] : {std::pair<std::string, torch::nn::Module*>{"unet.", unet_.get()},
                                       {"text_encoder.", text_encoder_.get()}}) {
    for (auto& item : module->named_parameters(true)) {
      item.value().set_requires_grad(true);
      names_.push_back(prefix + item.key());
      params_.push_back(item.value());
    }
  }
  {
    torch::NoGradGuard no_grad;
    for (const auto& p : params_) ema_.push_back(p.detach().clone());
  }
  optimizer_ = std::make_unique<OptimizerHolder>(params_, o);
}

DiffusionTrainer::~DiffusionTrainer() = default;

std::string DiffusionTrainer::log_path() const {
  return (fs::path(options_.out_dir) / "train_log.csv").string();
}

double DiffusionTrainer::learning_rate_at(std::int64_t step) const {
  if (options_.warmup_steps <= 0) return options_.learning_rate;
  return options_.learning_rate *
         std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(options_.warmup_steps));
}

double DiffusionTrainer::ema_decay_at(std::int64_t updates) const {
  // `updates` is the 0-based index of this EMA update (diffusers' optimization_step - 1).
  const double warm = (1.0 + static_cast<double>(updates)) / (10.0 + static_cast<double>(updates));
  return std::min(options_.ema_decay, warm);
}

std::vector<std::pair<std::string, at::Tensor>> DiffusionTrainer::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (std::size_t i = 0; i < names_.size(); ++i) out.emplace_back(names_[i], params_[i]);
  return out;
}

std::int64_t DiffusionTrainer::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : params_) n += p.numel();
  return n;
}

DiffusionTrainer::Noise DiffusionTrainer::draw_noise(std::uint64_t seed, std::int64_t batch) const {
  // Drawn on the CPU in a fixed order (dropout, timesteps, noise) so every device sees the same
  // numbers for a seed.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Noise n;
  const at::Tensor u = at::rand({batch}, gen, at::TensorOptions().dtype(at::kDouble));
  const auto* up = u.data_ptr<double>();
  for (std::int64_t i = 0; i < batch; ++i) n.drop_caption.push_back(up[i] < options_.caption_dropout);
  n.timesteps = at::randint(0, num_train_timesteps_, {batch}, gen, at::TensorOptions().dtype(at::kLong));
  const auto size = data_->image_size();
  const auto channels = unet_->config().in_channels;
  n.noise = at::randn({batch, channels, size, size}, gen, at::TensorOptions().dtype(at::kFloat));
  return n;
}

at::Tensor DiffusionTrainer::encode_captions(const std::vector<std::string>& captions) {
  const int length = tokenizer_.model_max_length();
  std::vector<std::int64_t> ids;
  ids.reserve(captions.size() * length);
  for (const auto& c : captions) {
    const auto row = tokenizer_.encode_padded(c, length);
    ids.insert(ids.end(), row.begin(), row.end());
  }
  const at::Tensor t = at::tensor(ids, at::TensorOptions().dtype(at::kLong))
                           .view({static_cast<std::int64_t>(captions.size()), length})
                           .to(options_.device);
  return text_encoder_->forward(t).last_hidden_state;
}

at::Tensor high_noise_loss_weight(const at::Tensor& alphas_cumprod, double cap) {
  return ((1 - alphas_cumprod) / alphas_cumprod).clamp(1.0, std::max(1.0, cap));
}

at::Tensor DiffusionTrainer::denoising_loss(const at::Tensor& images,
                                            const std::vector<std::string>& captions, const Noise& noise,
                                            double high_noise_weight) {
  // Shared by training and evaluation: the caller decides whether autograd records it.
  const at::Tensor x0 = images.to(options_.device, at::kFloat);
  const at::Tensor eps = noise.noise.to(options_.device);
  const at::Tensor t = noise.timesteps.to(options_.device);
  const at::Tensor pred =
      unet_->forward(noisy_sample(alphas_cumprod_, x0, eps, t), t, encode_captions(captions));
  if (high_noise_weight == 1.0) return at::mse_loss(pred, eps);
  return ((pred - eps).pow(2).mean({1, 2, 3}) *
          high_noise_loss_weight(alphas_cumprod_.index_select(0, t), high_noise_weight))
      .mean();
}

double DiffusionTrainer::loss_on(const TrainingBatch& batch, std::uint64_t noise_seed) {
  torch::NoGradGuard no_grad;
  return denoising_loss(batch.images, batch.captions, draw_noise(noise_seed, batch.images.size(0)))
      .item<double>();
}

double DiffusionTrainer::train_step() {
  const auto& o = options_;
  TrainingBatch batch = data_->batch(static_cast<std::uint64_t>(step_), o.batch_size);
  const auto size = data_->image_size();
  if (batch.images.dim() != 4 || batch.images.size(0) != o.batch_size ||
      batch.images.size(1) != unet_->config().in_channels || batch.images.size(2) != size ||
      batch.images.size(3) != size || static_cast<int>(batch.captions.size()) != o.batch_size)
    throw_bad_input("training data", "batch " + std::to_string(step_),
                    "expected images [" + std::to_string(o.batch_size) + ", " +
                        std::to_string(unet_->config().in_channels) + ", " + std::to_string(size) + ", " +
                        std::to_string(size) + "] and as many captions, got " +
                        shape_to_string(batch.images.sizes().vec()));

  const Noise n = draw_noise(step_seed(o.seed, static_cast<std::uint64_t>(step_)), o.batch_size);
  for (int i = 0; i < o.batch_size; ++i)
    if (n.drop_caption[i]) batch.captions[i].clear();

  const double lr = learning_rate_at(step_);
  for (auto& group : optimizer_->adamw.param_groups())
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  optimizer_->adamw.zero_grad();

  at::Tensor loss = denoising_loss(batch.images, batch.captions, n, o.high_noise_weight);
  loss.backward();
  if (o.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(params_, o.max_grad_norm);
  optimizer_->adamw.step();
  ++step_;
  update_ema();

  const double value = loss.item<double>();
  if (!std::isfinite(value))
    throw_model_error(o.out_dir, "step " + std::to_string(step_),
                      "the loss is not finite: lower the learning rate or resume from the last checkpoint");
  ema_loss_ = have_ema_loss_ ? o.loss_smoothing * ema_loss_ + (1 - o.loss_smoothing) * value : value;
  have_ema_loss_ = true;
  return value;
}

void DiffusionTrainer::update_ema() {
  torch::NoGradGuard no_grad;
  const double decay = ema_decay_at(step_ - 1);
  // diffusers' EMAModel: ema -= (1 - decay) * (ema - param).
  for (std::size_t i = 0; i < params_.size(); ++i) ema_[i].sub_((ema_[i] - params_[i]) * (1.0 - decay));
}

ValidationLoss DiffusionTrainer::validate() {
  TrainingBatch batch = data_->batch(kValidationBatchIndex, options_.validation_batch_size);
  const std::uint64_t seed = step_seed(options_.seed ^ kValidationNoiseSalt, kValidationBatchIndex);
  ValidationLoss v;
  v.with_caption = loss_on(batch, seed);
  for (auto& c : batch.captions) c.clear();
  v.empty_caption = loss_on(batch, seed);
  return v;
}

void DiffusionTrainer::append_log_row(double loss, double lr, const ValidationLoss* validation) {
  std::ofstream log(log_path(), std::ios::app);
  if (!log) throw_bad_input(log_path(), "", "cannot append to the training log");
  log << step_ << ',' << format_number(loss) << ',' << format_number(ema_loss_) << ',' << format_number(lr)
      << ',' << format_number(seconds_) << ',';
  if (validation)
    log << format_number(validation->with_caption) << ',' << format_number(validation->empty_caption);
  else
    log << ',';
  log << '\n';
}

void DiffusionTrainer::write_checkpoint_files(const std::string& dir) const {
  const fs::path d = dir;
  std::vector<std::pair<std::string, at::Tensor>> model, ema;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    model.emplace_back(names_[i], params_[i].detach().to(at::kCPU));
    ema.emplace_back(names_[i], ema_[i].to(at::kCPU));
  }
  write_safetensors((d / "model.safetensors").string(), model);
  write_safetensors((d / "ema.safetensors").string(), ema);
  torch::serialize::OutputArchive archive;
  optimizer_->adamw.save(archive);
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically((d / "optimizer.pt").string(), bytes.str());
  write_json(d / "state.json", json{{"format", kCheckpointFormat},
                                    {"step", step_},
                                    {"seed", options_.seed},
                                    {"batch_size", options_.batch_size},
                                    {"ema_loss", ema_loss_},
                                    {"have_ema_loss", have_ema_loss_},
                                    {"high_noise_weight", options_.high_noise_weight},
                                    {"seconds", seconds_},
                                    {"unet_config", options_.unet_config},
                                    {"text_encoder_config", options_.text_encoder_config},
                                    {"scheduler_config", options_.scheduler_config}});
}

void DiffusionTrainer::save_checkpoint() {
  replace_checkpoint_folder(options_.out_dir,
                            [this](const std::string& dir) { write_checkpoint_files(dir); });
}

bool DiffusionTrainer::resume() {
  const std::string found = find_checkpoint_folder(options_.out_dir);
  if (found.empty()) return false;
  const fs::path dir = found;
  const std::string state_path = (dir / "state.json").string();
  const json state = JsonFields::parse_json_file(state_path);
  if (!state.is_object() || state.value("format", 0) != kCheckpointFormat)
    throw_bad_input(
        state_path, "format",
        "not a checkpoint of this trainer (format " + std::to_string(kCheckpointFormat) + " expected)");
  for (const auto& [key, mine] : {std::pair<std::string, const json*>{"unet_config", &options_.unet_config},
                                  {"text_encoder_config", &options_.text_encoder_config},
                                  {"scheduler_config", &options_.scheduler_config}})
    if (!state.contains(key) || state.at(key) != *mine)
      throw_bad_input(state_path, key,
                      "the checkpoint was made with another model configuration (different preset or "
                      "tokenizer?): train into another --out folder");

  copy_into(params_, names_, SafetensorsFile::open((dir / "model.safetensors").string()));
  copy_into(ema_, names_, SafetensorsFile::open((dir / "ema.safetensors").string()));
  {
    torch::serialize::InputArchive archive;
    std::istringstream bytes(read_file((dir / "optimizer.pt").string()));
    archive.load_from(bytes, options_.device);
    optimizer_->adamw.load(archive);
  }
  step_ = state.at("step").get<std::int64_t>();
  ema_loss_ = state.value("ema_loss", 0.0);
  have_ema_loss_ = state.value("have_ema_loss", false);
  seconds_ = state.value("seconds", 0.0);

  keep_log_rows_up_to(log_path(), kLogHeader, step_);
  return true;
}

TrainResult DiffusionTrainer::train(const std::function<void(const TrainProgress&)>& progress,
                                    const CancellationToken& cancel) {
  using clock = std::chrono::steady_clock;
  // Refused before anything is written or allocated, instead of the OOM killer ending it mid-way.
  if (options_.check_memory && options_.device.is_cpu() && step_ < options_.steps) {
    const std::int64_t size = data_->image_size();
    check_memory_available(estimate_training_memory(unet_->config(), parameter_count(), options_.batch_size,
                                                    size, size, tokenizer_.model_max_length()),
                           "training (batch " + std::to_string(options_.batch_size) + ", " +
                               std::to_string(size) + "x" + std::to_string(size) + ")");
  }
  fs::create_directories(options_.out_dir);
  if (step_ == 0 || !fs::exists(log_path()))
    write_file_atomically(log_path(), std::string(kLogHeader) + "\n");

  TrainResult result;
  const auto session_start = clock::now();
  const std::int64_t first_step = step_;
  bool checkpointed = true;
  double loss = 0.0;
  while (step_ < options_.steps) {
    if (cancel.cancelled()) {
      result.cancelled = true;
      break;
    }
    const auto t0 = clock::now();
    loss = train_step();
    seconds_ += std::chrono::duration<double>(clock::now() - t0).count();
    checkpointed = false;

    std::optional<ValidationLoss> validation;
    if (options_.validate_every > 0 && step_ % options_.validate_every == 0) validation = validate();
    append_log_row(loss, learning_rate_at(step_ - 1), validation ? &*validation : nullptr);
    if (options_.checkpoint_every > 0 && step_ % options_.checkpoint_every == 0) {
      save_checkpoint();
      checkpointed = true;
    }
    if (progress) {
      TrainProgress p;
      p.step = step_;
      p.total = options_.steps;
      p.loss = loss;
      p.ema_loss = ema_loss_;
      p.learning_rate = learning_rate_at(step_ - 1);
      const double elapsed = std::chrono::duration<double>(clock::now() - session_start).count();
      p.steps_per_second = elapsed > 0 ? static_cast<double>(step_ - first_step) / elapsed : 0.0;
      p.eta_seconds =
          p.steps_per_second > 0 ? static_cast<double>(options_.steps - step_) / p.steps_per_second : 0.0;
      p.checkpointed = checkpointed;
      progress(p);
    }
  }
  if (!checkpointed) save_checkpoint();
  result.steps_done = step_;
  result.last_loss = loss;
  result.ema_loss = ema_loss_;
  return result;
}

void DiffusionTrainer::export_pipeline() {
  const fs::path out = options_.out_dir;
  const bool half = options_.export_fp16;
  fs::create_directories(out / "unet");
  fs::create_directories(out / "text_encoder");
  fs::create_directories(out / "scheduler");
  fs::create_directories(out / "tokenizer");

  write_json(out / "unet" / "config.json", options_.unet_config);
  write_safetensors((out / "unet" / "diffusion_pytorch_model.safetensors").string(),
                    with_prefix_removed(names_, ema_, "unet.", half), {{"format", "pt"}});
  write_json(out / "text_encoder" / "config.json", options_.text_encoder_config);
  write_safetensors((out / "text_encoder" / "model.safetensors").string(),
                    with_prefix_removed(names_, ema_, "text_encoder.", half), {{"format", "pt"}});
  write_json(out / "scheduler" / "scheduler_config.json", options_.scheduler_config);
  // The CLI generates the tokenizer straight into out/tokenizer: nothing to copy then.
  if (!fs::equivalent(options_.tokenizer_dir, out / "tokenizer"))
    for (const auto& entry : fs::directory_iterator(options_.tokenizer_dir))
      if (entry.is_regular_file())
        fs::copy_file(entry.path(), out / "tokenizer" / entry.path().filename(),
                      fs::copy_options::overwrite_existing);

  const json absent = json::array({nullptr, nullptr});
  write_json(
      out / "model_index.json",
      json{{"_class_name", "StableDiffusionPipeline"},
           {"_diffusers_version", "0.27.0"},
           {"unet", {"diffusers", "UNet2DConditionModel"}},
           {"text_encoder", {"transformers", "CLIPTextModel"}},
           {"tokenizer", {"transformers", "CLIPTokenizer"}},
           {"scheduler", {"diffusers", options_.scheduler_config.value("_class_name", "DDIMScheduler")}},
           {"vae", absent},
           {"safety_checker", absent},
           {"feature_extractor", absent},
           {"image_encoder", absent},
           {"requires_safety_checker", false},
           {"storyscope_training",
            {{"steps", step_},
             {"seed", options_.seed},
             {"batch_size", options_.batch_size},
             {"ema_decay", options_.ema_decay},
             {"high_noise_weight", options_.high_noise_weight}}}});
}

}  // namespace storyscope
