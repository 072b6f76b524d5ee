#pragma once
// The requests the GUI sends to the EngineWorker and the facts it gets back, as plain values
// that cross the thread boundary through queued signals (hence the metatype declarations).
#include <QImage>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
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
  // Concept pack folders (Break-A-Scene) to apply once the model is loaded; packs that do not
  // fit the model are reported and left out, the model loads regardless.
  QStringList concept_packs;
};

// One learned token of an applied concept pack, for the Story panel's Concepts list.
struct ConceptEntry {
  QString token;      // "<asset0>"
  QString init_word;  // the word it started from ("" for the mean embedding)
  QString pack_dir;   // the pack folder it came from
};
using ConceptList = QList<ConceptEntry>;

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
  ConceptList concepts;  // tokens of the concept packs applied to it
  QStringList packs;     // those packs' folders, in the order they were applied
};

struct RunOptions {
  bool record_attention = true;  // per-frame cross-attention records (frames run one at a time)
  bool collect_previews = true;  // decode the predicted x0 after every step
  int max_batch = 0;             // 0 = as many frames per UNet batch as memory allows
};

// Break-A-Scene on one frame (concept_extractor.h): the frame's image and one mask per concept.
struct ConceptRequest {
  QImage image;            // the frame, RGB
  QList<QImage> masks;     // Grayscale8, 0/255, the image's size, one per concept, none empty
  QStringList words;       // the mask layers' words (for messages and the pack's report)
  QStringList init_words;  // initializer word per concept ("" = the mean embedding)
  QString token_prefix = QStringLiteral("asset");
  int phase1_steps = 400;
  int phase2_steps = 400;
  double lambda_attention = 1e-2;
  quint64 seed = 0;
  QString out_dir;  // the pack, checkpoint/ and loss_log.csv go here
};

// One finished training step, as plain values (the maps already coloured).
struct ConceptProgress {
  int step = 0;   // steps done, both phases
  int total = 0;  // phase 1 + phase 2 steps
  int phase = 1;
  double diffusion_loss = 0.0;
  double attention_loss = 0.0;
  double steps_per_second = 0.0;
  double eta_seconds = -1.0;
  QStringList tokens;  // the tokens this step trained on, with their attention maps
  QList<QImage> maps;
};

}  // namespace storyscope::ui

Q_DECLARE_METATYPE(storyscope::ui::ModelRequest)
Q_DECLARE_METATYPE(storyscope::ui::ModelInfo)
Q_DECLARE_METATYPE(storyscope::ui::RunOptions)
Q_DECLARE_METATYPE(storyscope::StorySpec)
Q_DECLARE_METATYPE(storyscope::ui::FramePtr)
Q_DECLARE_METATYPE(storyscope::ui::ConceptRequest)
Q_DECLARE_METATYPE(storyscope::ui::ConceptProgress)
