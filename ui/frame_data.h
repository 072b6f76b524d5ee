#pragma once
// What the GUI holds about one generated frame, shared by the Frames gallery, the Attention
// inspector, the Mask painter and the Plots. Filled by the EngineWorker from the engine's
// StoryFrame (plus the per-step predicted-x0 previews it collected), read-only afterwards, so
// widgets share it through a shared_ptr without copying maps.
#include <QImage>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "core/attention/attention_record.h"
#include "core/text/clip_tokenizer.h"

namespace storyscope::ui {

struct FrameData {
  int index = 0;                 // frame number in the story
  QImage image;                  // the final frame, RGB888
  QString prompt;                // consolidated prompt of this frame (what was encoded)
  std::vector<QImage> x0_steps;  // predicted x0 after each step (empty when not collected)
  std::shared_ptr<const AttentionRecordSet> records;  // null when attention was not recorded
  Encoding encoding;  // tokenizer output of `prompt` (word spans for word-level maps)
};

using FramePtr = std::shared_ptr<const FrameData>;

}  // namespace storyscope::ui
