#pragma once
// The requests the GUI sends to the EngineWorker and the facts it gets back, as plain values
// that cross the thread boundary through queued signals (hence the metatype declarations).
#include <QMetaType>
#include <QString>
#include <memory>
#include <vector>

#include "core/story/story_spec.h"
#include "core/text/clip_tokenizer.h"
#include "ui/frame_data.h"

namespace storyscope::ui {

// What to load and how: the path is a diffusers folder or a single-file checkpoint.
struct ModelRequest {
  QString path;
  QString device = QStringLiteral("cpu");      // "cpu" or "cuda"
  QString precision = QStringLiteral("fp32");  // "fp32", "fp16" or "bf16"
};

// What the GUI may know about the loaded model without touching it.
struct ModelInfo {
  QString source;
  QString family;
  QString device, precision;
  int default_size = 0;   // pixels; 0 when the model does not say
  int size_multiple = 8;  // width/height must be a multiple of this
  // Copies of the tokenizers (one per text encoder), so the Story panel can count tokens on the
  // GUI thread while the worker runs the model.
  std::shared_ptr<const std::vector<ClipTokenizer>> tokenizers;
};

struct RunOptions {
  bool record_attention = true;  // per-frame cross-attention records (frames run one at a time)
  bool collect_previews = true;  // decode the predicted x0 after every step
  int max_batch = 0;             // 0 = as many frames per UNet batch as memory allows
};

}  // namespace storyscope::ui

Q_DECLARE_METATYPE(storyscope::ui::ModelRequest)
Q_DECLARE_METATYPE(storyscope::ui::ModelInfo)
Q_DECLARE_METATYPE(storyscope::ui::RunOptions)
Q_DECLARE_METATYPE(storyscope::StorySpec)
Q_DECLARE_METATYPE(storyscope::ui::FramePtr)
