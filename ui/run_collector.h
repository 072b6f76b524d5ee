#pragma once
// Turns the story pipeline's callbacks (on the worker thread) into EngineWorker signals: progress
// with an overall ETA, per-step x0 previews gathered per frame, and finished frames as FrameData.
#include <chrono>
#include <map>
#include <vector>

#include "core/pipeline/story.h"
#include "ui/engine_types.h"

namespace storyscope::ui {

class EngineWorker;

class RunCollector : public StoryObserver {
 public:
  // `todo`: the frames the run renders, in order. `tokenizer` encodes each frame's prompt for
  // the word-level views.
  RunCollector(EngineWorker* worker, const ClipTokenizer& tokenizer, std::vector<int> todo,
               const RunOptions& options);

  void on_progress(const RunProgress& p) override;
  bool wants_preview() const override { return options_.collect_previews; }
  void on_step_preview(int step, const at::Tensor& predicted_x0_image) override;
  void on_frame(const StoryFrame& frame) override;
  void on_frame_failed(const StoryFailure& failure) override;

 private:
  int frame_at(std::size_t row) const;

  EngineWorker* worker_;
  const ClipTokenizer& tokenizer_;
  std::vector<int> todo_;
  RunOptions options_;
  std::size_t processed_ = 0;  // frames finished or failed: the current batch starts here
  std::size_t batch_rows_ = 1;
  std::map<int, std::vector<QImage>> previews_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace storyscope::ui
