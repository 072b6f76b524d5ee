#pragma once
// DDPM training of a pixel-space UNet2DConditionModel and its CLIP text encoder together, from
// scratch, on any TrainingDataSource (the shapes world in practice). LibTorch only, CPU or CUDA.
//
// One step: batch `step` of the data source (deterministic by index), captions dropped to ""
// with probability caption_dropout (classifier-free guidance), uniform timesteps and Gaussian
// noise drawn from a CPU generator seeded by (seed, step), x_t = sqrt(a_t) x_0 + sqrt(1 - a_t) e,
// loss = MSE(unet(x_t, t, text(ids)), e) (optionally weighted per sample, high_noise_weight). AdamW with
// linear warmup, gradient-norm clipping, and an EMA of every trainable parameter (decay min(ema_decay, (1 +
// n) / (10 + n)) after n updates, as diffusers' EMAModel without inverse-gamma warmup). Because nothing
// random depends on what ran before, training N steps equals training k, checkpointing, and resuming to N
// (bit-identical on the CPU with the same thread count).
//
// Files under out_dir:
//   checkpoint/       state.json, unet/text_encoder/ema .safetensors, optimizer.pt; replaced
//                     atomically (written to checkpoint.tmp, then swapped in)
//   train_log.csv     step,loss,ema_loss,lr,seconds,val_loss_caption,val_loss_empty
//   model_index.json, unet/, text_encoder/, tokenizer/, scheduler/  (export(): the diffusers
//                     layout ModelBundle::load_diffusers_folder reads; EMA weights)
//
// Speed of the cpu32 preset (shapes_model_config.h, 2.1M parameters) at batch 32 with 2 threads
// on the 2-core build machine, measured while other builds loaded it (load average 7-11):
// 2.4-3.5 s per step wall, 1.3-1.7 CPU-seconds per step, i.e. roughly 0.7-0.9 s per step on the
// idle machine. The CLI prints steps/s while it runs; train_log.csv records the seconds.
#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/demo/training_data.h"
#include "core/models/unet/unet_2d_condition.h"
#include "core/pipeline/run_observer.h"
#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"
#include "core/training/diffusion_noising.h"  // step_seed: the per-step generator seed

namespace storyscope {

struct TrainerOptions {
  // The model: config documents as written to the exported folder (see shapes_model_config.h).
  nlohmann::json unet_config;
  nlohmann::json text_encoder_config;
  nlohmann::json scheduler_config;  // betas for training; exported as scheduler_config.json
  std::string tokenizer_dir;        // CLIP tokenizer folder (vocab.json, merges.txt, ...)
  std::string out_dir;

  std::int64_t steps = 1000;  // train until this many steps are done (in total, across resumes)
  int batch_size = 32;
  std::uint64_t seed = 0;
  c10::Device device = c10::Device(c10::DeviceType::CPU);

  double learning_rate = 5e-4;
  std::int64_t warmup_steps = 200;  // linear warmup from 0, then constant
  double weight_decay = 0.01;
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
  double max_grad_norm = 1.0;  // <= 0: no clipping
  double ema_decay = 0.999;
  double caption_dropout = 0.1;
  // Per-sample loss weight max(1, min(high_noise_weight, 1 / SNR(t))): 1 is the plain epsilon
  // MSE. Under it the caption's effect on the image's global colour (the scene) lives only at
  // t where SNR << 1 and weighs SNR there (x0 error = eps error / sqrt(SNR)), so a small model
  // leaves the background to the seed's noise; a weight > 1 moves those steps towards x0-MSE,
  // capped so they cannot drown the detail steps. Validation losses stay plain MSE.
  double high_noise_weight = 1.0;
  double loss_smoothing = 0.98;  // the logged ema_loss: s = a s + (1 - a) loss

  std::int64_t checkpoint_every = 500;  // <= 0: only on cancel and at the end
  std::int64_t validate_every = 0;      // <= 0: never
  int validation_batch_size = 32;
  bool export_fp16 = false;  // half-precision weight files in the exported folder
  // train() refuses (Error BadInput) before the first step when the estimated memory of a step
  // (memory_estimate.h) exceeds what the machine has available. CPU training only.
  bool check_memory = true;
};

// The per-sample weights of TrainerOptions::high_noise_weight for alphas_cumprod at the drawn
// timesteps: max(1, min(cap, (1 - a) / a)).
at::Tensor high_noise_loss_weight(const at::Tensor& alphas_cumprod, double cap);

struct TrainProgress {
  std::int64_t step = 0;   // steps done
  std::int64_t total = 0;  // options.steps
  double loss = 0.0;       // this step's loss
  double ema_loss = 0.0;   // smoothed loss
  double learning_rate = 0.0;
  double steps_per_second = 0.0;  // over this session
  double eta_seconds = 0.0;
  bool checkpointed = false;  // a checkpoint was written after this step
};

struct ValidationLoss {
  double with_caption = 0.0;
  double empty_caption = 0.0;  // higher than with_caption once the model uses the caption
};

struct TrainResult {
  std::int64_t steps_done = 0;  // total, across resumes
  bool cancelled = false;
  double last_loss = 0.0;
  double ema_loss = 0.0;
};

class DiffusionTrainer {
 public:
  // Builds the modules with fresh weights (seeded by options.seed). Throws Error on bad configs.
  DiffusionTrainer(TrainerOptions options, std::shared_ptr<const TrainingDataSource> data);
  ~DiffusionTrainer();
  DiffusionTrainer(const DiffusionTrainer&) = delete;
  DiffusionTrainer& operator=(const DiffusionTrainer&) = delete;

  // Loads out_dir/checkpoint when there is one (configs must match the options). Returns
  // whether it resumed. Rewrites train_log.csv without the rows after the checkpoint.
  bool resume();

  // Trains until options.steps (or `cancel`), checkpointing every checkpoint_every steps and
  // once more at the end or on cancel. Does not export. Cancellation is checked before each
  // step: a cancel from the progress callback of step k stops with k steps done and checkpointed.
  TrainResult train(const std::function<void(const TrainProgress&)>& progress = {},
                    const CancellationToken& cancel = CancellationToken());
  // One optimisation step on batch `step()` ; returns its loss.
  double train_step();

  void save_checkpoint();
  // Writes the diffusers folder into out_dir (EMA weights).
  void export_pipeline();
  // out_dir/train_log.csv.
  std::string log_path() const;

  // Loss with captions and with "" on a fixed held-out batch (same noise and timesteps), with
  // the current (not EMA) weights.
  ValidationLoss validate();
  // The denoising loss on `batch` with noise and timesteps from `noise_seed`; no update.
  double loss_on(const TrainingBatch& batch, std::uint64_t noise_seed);

  std::int64_t step() const { return step_; }
  double learning_rate_at(std::int64_t step) const;
  double ema_decay_at(std::int64_t updates) const;
  const TrainerOptions& options() const { return options_; }
  UNet2DConditionModel& unet() { return unet_; }
  CLIPTextModel& text_encoder() { return text_encoder_; }
  const ClipTokenizer& tokenizer() const { return tokenizer_; }
  // Trainable parameters by state-dict name ("unet.<name>", "text_encoder.<name>").
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;
  // EMA copies, same order and names as named_parameters().
  const std::vector<at::Tensor>& ema_parameters() const { return ema_; }
  std::int64_t parameter_count() const;

 private:
  struct Noise;
  Noise draw_noise(std::uint64_t seed, std::int64_t batch) const;
  at::Tensor encode_captions(const std::vector<std::string>& captions);
  at::Tensor denoising_loss(const at::Tensor& images, const std::vector<std::string>& captions,
                            const Noise& noise, double high_noise_weight = 1.0);
  void update_ema();
  void append_log_row(double loss, double lr, const ValidationLoss* validation);
  void write_checkpoint_files(const std::string& dir) const;

  TrainerOptions options_;
  std::shared_ptr<const TrainingDataSource> data_;
  ClipTokenizer tokenizer_;
  UNet2DConditionModel unet_{nullptr};
  CLIPTextModel text_encoder_{nullptr};
  std::vector<std::string> names_;
  std::vector<at::Tensor> params_;
  std::vector<at::Tensor> ema_;
  at::Tensor alphas_cumprod_;  // float32 [T] on the training device
  std::int64_t num_train_timesteps_ = 1000;
  struct OptimizerHolder;
  std::unique_ptr<OptimizerHolder> optimizer_;
  std::int64_t step_ = 0;
  double ema_loss_ = 0.0;
  bool have_ema_loss_ = false;
  double seconds_ = 0.0;  // training wall time, across resumes
};

}  // namespace storyscope
