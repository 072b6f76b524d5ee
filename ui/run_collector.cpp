#include "ui/run_collector.h"

#include <ATen/ATen.h>

#include "ui/engine_worker.h"
#include "ui/tensor_qimage.h"

namespace storyscope::ui {

RunCollector::RunCollector(EngineWorker* worker, const ClipTokenizer& tokenizer, std::vector<int> todo,
                           const RunOptions& options)
    : worker_(worker), tokenizer_(tokenizer), todo_(std::move(todo)), options_(options) {}

int RunCollector::frame_at(std::size_t row) const {
  const std::size_t pos = processed_ + row;
  return pos < todo_.size() ? todo_[pos] : -1;
}

void RunCollector::on_progress(const RunProgress& p) {
  // Overall fraction done, counting the frames of the current batch as partly done; the ETA
  // extrapolates the wall time so far (it includes prompt encoding and decoding).
  const double total = static_cast<double>(todo_.size());
  const double in_batch = p.total > 0 ? static_cast<double>(batch_rows_) * p.step / p.total : 0.0;
  const double fraction = total > 0 ? (static_cast<double>(processed_) + in_batch) / total : 0.0;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : -1.0;
  emit worker_->progress(p.frame, p.frames, p.step, p.total, p.steps_per_second, eta);
}

void RunCollector::on_step_preview(int step, const at::Tensor& x0) {
  batch_rows_ = static_cast<std::size_t>(x0.size(0));
  for (std::int64_t row = 0; row < x0.size(0); ++row) {
    const int frame = frame_at(static_cast<std::size_t>(row));
    if (frame < 0) continue;
    std::vector<QImage>& steps = previews_[frame];
    if (steps.size() <= static_cast<std::size_t>(step)) steps.resize(static_cast<std::size_t>(step) + 1);
    steps[static_cast<std::size_t>(step)] = qimage_from_tensor(x0[row]);
    // Only the first frame of a batch is shown live: one image per step is all the panel needs.
    if (row == 0) emit worker_->stepPreview(frame, step + 1, steps[static_cast<std::size_t>(step)]);
  }
}

void RunCollector::on_frame(const StoryFrame& f) {
  auto data = std::make_shared<FrameData>();
  data->index = f.index;
  data->image = qimage_from_tensor(f.image);
  data->prompt = QString::fromStdString(f.prompt);
  if (auto it = previews_.find(f.index); it != previews_.end()) {
    data->x0_steps = std::move(it->second);
    previews_.erase(it);
  }
  if (options_.record_attention && !f.records.records.empty())
    data->records = std::make_shared<const AttentionRecordSet>(f.records);
  data->encoding = tokenizer_.encode(f.prompt);
  for (const std::string& w : f.attention_warnings)
    emit worker_->message(QStringLiteral("frame %1: %2").arg(f.index + 1).arg(QString::fromStdString(w)));
  ++processed_;
  emit worker_->frameReady(std::move(data));
}

void RunCollector::on_frame_failed(const StoryFailure& failure) {
  ++processed_;
  previews_.erase(failure.frame);
  emit worker_->frameFailed(failure.frame, QString::fromStdString(failure.message));
}

}  // namespace storyscope::ui
