#pragma once
// Break-A-Scene (Avrahami et al., SIGGRAPH Asia 2023): learn one new token per masked object of a
// single image, so "<asset0> on the grass" draws that object again.
//
// Each step, per batch row (all random draws from a CPU generator seeded by step_seed(seed,
// step), so a resumed run equals an uninterrupted one):
//   - a random non-empty subset of the assets in random order, the prompt "a photo of <asset_i>
//     and <asset_j>" (the phrasing option; concept_phrasing.h), their union mask;
//   - a horizontal flip of image and masks with probability 1/2 (flip option);
//   - a uniform timestep t and Gaussian noise; x_t = q(x_t | x_0) on the model's schedule.
// loss = MSE(pred * union, target * union) (masked_diffusion_loss; the mask nearest-resized to the
//        latent grid)
//      + lambda_attention * sum over the row's assets of MSE(mask at 16x16, A / max A), A the
//        p2p map (mean of the 16x16 down/up cross-attention layers and heads) of the asset's
//        token at this step, gradients kept; attention terms averaged over the batch.
// Phase 1 (phase1_steps, lr phase1_learning_rate): only the new embedding rows train; every other
// row of the table is copied back after each step, so it stays bit-exact. Phase 2 (phase2_steps,
// phase2_learning_rate): UNet and text encoder train (the other rows are still restored). AdamW
// (a fresh optimizer per phase), gradient-norm clipping, constant rates.
//
// The extractor trains the bundle it is given in place (float32 on the CPU or a GPU; one text
// encoder): load a private copy. Files under out_dir: checkpoint/ (state.json, learned rows,
// float32 deltas, optimizer.pt; replaced atomically), loss_log.csv (step,phase,diffusion_loss,
// attention_loss,seconds), and the concept pack (concept_pack.h) written by write_pack().
#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/pipeline/model_bundle.h"
#include "core/pipeline/run_observer.h"
#include "core/training/concept_pack.h"
#include "core/training/concept_phrasing.h"

namespace storyscope {

struct ConceptExtractionOptions {
  std::vector<std::string> init_words;  // one per mask ("" or missing: the mean embedding)
  std::string token_prefix = "asset";   // tokens "<asset0>", "<asset1>", ...
  // Empty: concept_phrasing_for(the model's tokenizer), chosen when the extractor is built.
  std::optional<ConceptPhrasing> phrasing;
  std::int64_t phase1_steps = 400;
  std::int64_t phase2_steps = 400;
  double phase1_learning_rate = 5e-4;
  double phase2_learning_rate = 2e-6;
  double lambda_attention = 1e-2;
  std::int64_t attention_resolution = 16;
  int batch_size = 1;
  bool flip = true;
  double weight_decay = 1e-2;
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
  double max_grad_norm = 1.0;  // <= 0: no clipping
  std::uint64_t seed = 0;
  std::string out_dir;                  // checkpoint, log; "" keeps everything in memory
  std::int64_t checkpoint_every = 100;  // <= 0: only on cancel and at the end (with out_dir)
};

// The user's input: one image and one mask per concept.
struct ConceptImage {
  at::Tensor image;    // [1, 3, H, W] in [-1, 1]; H, W multiples of the VAE scale factor
  at::Tensor masks;    // [N, H, W] in [0, 1] (binarised at 0.5), N >= 1, none empty
  std::string source;  // the image file, named in errors
};

struct ConceptStepLosses {
  double diffusion = 0.0;  // masked diffusion loss of the step
  double attention = 0.0;  // the attention loss (before lambda), averaged over the batch rows
  double total = 0.0;      // diffusion + lambda * attention
};

struct ExtractionProgress {
  std::int64_t step = 0;   // steps done, both phases
  std::int64_t total = 0;  // phase1_steps + phase2_steps
  int phase = 1;           // phase of the step just done
  ConceptStepLosses losses;
  double steps_per_second = 0.0;
  double eta_seconds = 0.0;
  // The first batch row's sampled tokens and their maps A / max A [k, r, r] (detached, CPU).
  std::vector<std::string> tokens;
  at::Tensor maps;
  bool checkpointed = false;
};

struct ExtractionResult {
  std::int64_t steps_done = 0;
  bool cancelled = false;
  ConceptStepLosses last;
};

class ConceptExtractor {
 public:
  // Validates the input against the model (sizes, mask count vs init words, float32, one text
  // encoder) and adds the tokens with their initial rows. Throws Error(BadInput).
  ConceptExtractor(std::shared_ptr<ModelBundle> bundle, ConceptImage input, ConceptExtractionOptions options);
  ~ConceptExtractor();
  ConceptExtractor(const ConceptExtractor&) = delete;
  ConceptExtractor& operator=(const ConceptExtractor&) = delete;

  // Loads out_dir/checkpoint when there is one made from the same image, masks and options.
  bool resume();
  // Runs both phases to the end (or `cancel`, checked before each step), checkpointing every
  // checkpoint_every steps and at the end or on cancel (with out_dir).
  ExtractionResult run(const std::function<void(const ExtractionProgress&)>& progress = {},
                       const CancellationToken& cancel = CancellationToken());
  // One step of the current phase.
  ConceptStepLosses train_step();
  // The losses of a fixed, seeded evaluation batch (no update): every asset together.
  ConceptStepLosses evaluate(std::uint64_t seed, int samples = 4);
  void save_checkpoint();

  // The pack of what was learned so far (rows now, deltas against the weights at the start).
  ConceptPack pack() const;

  const std::vector<std::string>& tokens() const { return tokens_; }
  const std::vector<std::int64_t>& token_ids() const { return token_ids_; }
  std::int64_t step() const { return step_; }
  std::int64_t total_steps() const { return options_.phase1_steps + options_.phase2_steps; }
  int phase() const { return step_ < options_.phase1_steps ? 1 : 2; }
  const ConceptExtractionOptions& options() const { return options_; }
  ModelBundle& bundle() { return *bundle_; }

  struct Impl;

 private:
  std::shared_ptr<ModelBundle> bundle_;
  ConceptExtractionOptions options_;
  std::vector<std::string> tokens_;
  std::vector<std::int64_t> token_ids_;
  std::int64_t step_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace storyscope
