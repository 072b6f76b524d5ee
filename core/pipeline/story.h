#pragma once
// A 1Prompt1Story run (DESIGN section 4): every frame renders its consolidated prompt
// (identity + sliding window of frame prompts), reweighted by SVR, with IPCA in the UNet's
// cross-attention, from the same initial noise. Frames are batched through the UNet when
// memory allows; progress reports frame and step; a cancelled run keeps the frames it finished;
// a frame that fails is reported by index and the others still render (a batch that fails is
// retried one frame at a time, so only the frames that fail alone are reported).
#include <ATen/Tensor.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attention/attention_record.h"
#include "core/attention/attention_store.h"
#include "core/pipeline/ip_adapter_run.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/run_observer.h"
#include "core/pipeline/story_conditioning.h"
#include "core/story/story_spec.h"

namespace storyscope {

struct StoryRunOptions {
  // Record cross-attention per frame (frames then run one at a time). The template's prompt
  // fields are filled per frame from its consolidated prompt; latent size is set by the run.
  bool record_attention = false;
  AttentionStoreOptions attention;
  // Frames per UNet batch: 0 = as many as memory allows, up to 4.
  int max_batch = 0;
  // Which frames to render (0-based); empty = all.
  std::vector<int> frames;
  // A reference image for the identity through IP-Adapter (one row, shared by every frame),
  // added to each frame's cross-attention on top of SVR and IPCA.
  std::optional<IPAdapterInput> ip_adapter;
};

struct StoryFrame {
  int index = 0;
  at::Tensor image;            // [1, 3, H, W] float32 on the CPU in [0, 1]
  std::string prompt;          // the consolidated prompt of encoder 0
  std::vector<int> window;     // frame indices of its window
  AttentionRecordSet records;  // empty unless record_attention
  std::vector<std::string> attention_warnings;
};

struct StoryFailure {
  int frame = 0;
  std::string message;
};

struct StoryResult {
  std::vector<StoryFrame> frames;  // finished frames, in frame order
  std::vector<StoryFailure> failures;
  int window_size = 0;  // the window the story ran with (may be below the requested size)
  int batch = 1;        // frames per UNet batch used
  std::int64_t width = 0, height = 0;
  std::string scheduler;
  bool cancelled = false;
};

class StoryObserver : public RunObserver {
 public:
  // A frame is finished (called on the pipeline's thread, in frame order within a batch).
  virtual void on_frame(const StoryFrame&) {}
  virtual void on_frame_failed(const StoryFailure&) {}
};

class StoryPipeline {
 public:
  explicit StoryPipeline(std::shared_ptr<ModelBundle> bundle);
  // Throws Error(BadInput) naming the story field (spec ranges, sampler, sizes, a frame that
  // cannot fit the prompt budget) before any work.
  void validate(const StorySpec& spec, const std::string& source = "story.json") const;
  StoryResult run(const StorySpec& spec, const StoryRunOptions& options = {},
                  StoryObserver* observer = nullptr,
                  const CancellationToken& cancel = CancellationToken()) const;
  ModelBundle& bundle() const { return *bundle_; }

 private:
  std::shared_ptr<ModelBundle> bundle_;
};

// The start noise of frame j: the seed's batch-1 noise (txt2img with that seed starts from
// it) when same_noise, else that of seed + j.
at::Tensor story_frame_noise(const StorySpec& spec, int frame, std::int64_t channels,
                             std::int64_t latent_height, std::int64_t latent_width);

}  // namespace storyscope
