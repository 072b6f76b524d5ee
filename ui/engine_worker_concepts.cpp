// EngineWorker: Break-A-Scene concept extraction (core/training/concept_extractor.h) on the
// engine thread. Tensors stay here; the GUI gets losses as doubles and the maps as QImages.
#include <ATen/ATen.h>

#include <QDir>
#include <QFileInfo>
#include <exception>
#include <vector>

#include "core/imaging/image_tensor.h"
#include "core/pipeline/model_loader.h"
#include "core/training/concept_extractor.h"
#include "core/training/concept_pack.h"
#include "ui/engine_worker.h"
#include "ui/heatmap_image.h"
#include "ui/mask_image.h"

namespace storyscope::ui {
namespace {

constexpr int kMapSide = 96;  // pixels of each live attention map

ConceptImage concept_image(const ConceptRequest& request) {
  ConceptImage input;
  input.image = tensor_from_image(to_rgb_image(request.image), ValueRange::MinusOneToOne);
  std::vector<at::Tensor> masks;
  for (const QImage& mask : request.masks) {
    // Layers share the frame's size; nearest-resize any that do not, as the painter would.
    const QImage sized =
        mask.size() == request.image.size()
            ? mask
            : mask.scaled(request.image.size(), Qt::IgnoreAspectRatio, Qt::FastTransformation);
    masks.push_back(mask_tensor(binarise_mask(sized)));
  }
  if (!masks.empty()) input.masks = at::stack(masks);
  input.source = QStringLiteral("frame (%1)").arg(request.words.join(QStringLiteral(", "))).toStdString();
  return input;
}

ConceptExtractionOptions extraction_options(const ConceptRequest& request) {
  ConceptExtractionOptions o;
  for (const QString& w : request.init_words) o.init_words.push_back(w.trimmed().toStdString());
  o.token_prefix = request.token_prefix.toStdString();
  o.phase1_steps = request.phase1_steps;
  o.phase2_steps = request.phase2_steps;
  o.lambda_attention = request.lambda_attention;
  o.seed = request.seed;
  o.out_dir = QDir::toNativeSeparators(request.out_dir).toStdString();
  return o;
}

ConceptProgress progress_values(const ExtractionProgress& p, const QImage& base) {
  ConceptProgress out;
  out.step = static_cast<int>(p.step);
  out.total = static_cast<int>(p.total);
  out.phase = p.phase;
  out.diffusion_loss = p.losses.diffusion;
  out.attention_loss = p.losses.attention;
  out.steps_per_second = p.steps_per_second;
  out.eta_seconds = p.eta_seconds;
  for (std::size_t k = 0; k < p.tokens.size(); ++k) {
    out.tokens << QString::fromStdString(p.tokens[k]);
    if (p.maps.defined() && static_cast<std::int64_t>(k) < p.maps.size(0))
      out.maps << heatmap_overlay(base, p.maps[static_cast<std::int64_t>(k)], Colormap::Turbo, 0.6, kMapSide);
  }
  return out;
}

}  // namespace

void EngineWorker::extractConcepts(const ConceptRequest& request) {
  const CancellationToken token = current_token();
  bool cancelled = false;
  QString pack_dir;
  try {
    if (!bundle_) throw std::runtime_error(tr("no model is loaded").toStdString());
    if (request.out_dir.isEmpty() || !QDir().mkpath(request.out_dir))
      throw std::runtime_error(tr("the folder %1 cannot be created").arg(request.out_dir).toStdString());
    // The extractor trains the model it is given: a private float32 copy of the base model (no
    // packs: a pack is stored against the base it was made on), on the loaded model's device.
    LoadSettings settings;
    settings.dtype = c10::ScalarType::Float;
    settings.device = bundle_->device();
    ModelLocation where;
    where.path = QFileInfo(request_.path).absoluteFilePath().toStdString();
    emit message(tr("Loading a float32 copy of %1 to train on").arg(request_.path));
    ConceptExtractor extractor(load_model(where, settings), concept_image(request),
                               extraction_options(request));
    if (extractor.resume())
      emit message(
          tr("Resuming from the checkpoint in %1 at step %2").arg(request.out_dir).arg(extractor.step()));
    emit message(tr("Extracting %1 concepts (%2): %3 + %4 steps")
                     .arg(request.masks.size())
                     .arg(request.words.join(QStringLiteral(", ")))
                     .arg(request.phase1_steps)
                     .arg(request.phase2_steps));
    const QImage base =
        request.image.scaled(kMapSide, kMapSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    const ExtractionResult result = extractor.run(
        [this, &base](const ExtractionProgress& p) { emit conceptProgress(progress_values(p, base)); },
        token);
    cancelled = result.cancelled;
    if (cancelled) {
      emit message(tr("Concept extraction cancelled after step %1; the checkpoint in %2 resumes it")
                       .arg(result.steps_done)
                       .arg(request.out_dir));
    } else {
      save_concept_pack(QDir::toNativeSeparators(request.out_dir).toStdString(), extractor.pack());
      pack_dir = QFileInfo(request.out_dir).absoluteFilePath();
      // The checkpoint only serves to resume; after phase 2 of a real model it holds the weight
      // deltas and optimizer state of the whole UNet and text encoder (gigabytes).
      QDir(QDir(pack_dir).filePath(QStringLiteral("checkpoint"))).removeRecursively();
      emit message(tr("Concept pack written to %1").arg(pack_dir));
    }
  } catch (const std::exception& e) {
    emit error(tr("The concepts could not be extracted: %1").arg(describe(e)));
  }
  emit conceptsFinished(cancelled, pack_dir);
  if (!pack_dir.isEmpty()) {
    // The next Generate must know the new tokens: the model again, fresh, with every pack.
    ModelRequest next = request_;
    next.concept_packs.removeAll(pack_dir);  // extracted again into the same folder: the new pack
    next.concept_packs << pack_dir;
    try {
      load(next);
    } catch (const std::exception& e) {
      emit error(tr("Could not reload the model with the concepts: %1").arg(describe(e)));
    }
  }
  emit taskDone();
}

}  // namespace storyscope::ui
