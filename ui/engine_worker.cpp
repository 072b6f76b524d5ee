#include "ui/engine_worker.h"

#include <ATen/Context.h>

#include <QFileInfo>
#include <exception>
#include <new>

#include "core/config/model_family.h"
#include "core/pipeline/model_loader.h"
#include "core/pipeline/story.h"
#include "core/pipeline/story_conditioning.h"
#include "ui/concept_pack_loading.h"
#include "ui/run_collector.h"

namespace storyscope::ui {
namespace {

c10::ScalarType dtype_for(const QString& precision) {
  if (precision == QLatin1String("fp16")) return c10::ScalarType::Half;
  if (precision == QLatin1String("bf16")) return c10::ScalarType::BFloat16;
  return c10::ScalarType::Float;
}

}  // namespace

// The cause as the engine phrased it (engine errors already name the file and the field).
QString EngineWorker::describe(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e))
    return tr("out of memory (try a smaller size, fewer frames per batch or a lower precision)");
  return QString::fromUtf8(e.what());
}

EngineWorker::EngineWorker() = default;
EngineWorker::~EngineWorker() = default;

void EngineWorker::beginRun() {
  std::lock_guard<std::mutex> lock(token_mutex_);
  token_ = CancellationToken();
}

CancellationToken EngineWorker::current_token() const {
  std::lock_guard<std::mutex> lock(token_mutex_);
  return token_;
}

void EngineWorker::cancel() { current_token().cancel(); }

void EngineWorker::load(const ModelRequest& request) {
  LoadSettings settings;
  settings.dtype = dtype_for(request.precision);
  if (request.device == QLatin1String("cuda")) {
    if (!at::hasCUDA()) throw std::runtime_error(tr("CUDA is not available on this machine").toStdString());
    settings.device = c10::Device(c10::DeviceType::CUDA);
  }
  emit message(tr("Loading model %1").arg(request.path));
  ModelLocation where;
  where.path = QFileInfo(request.path).absoluteFilePath().toStdString();
  auto bundle = load_model(where, settings);

  ModelInfo info;
  ModelRequest loaded = request;
  if (!request.concept_packs.isEmpty()) {
    const AppliedPacks applied = apply_pack_folders(*bundle, request.concept_packs);
    for (const QString& problem : applied.problems) emit error(problem);
    info.concepts = applied.concepts;
    info.packs = applied.packs;
    loaded.concept_packs = applied.packs;
  }
  info.source = QString::fromStdString(bundle->source());
  info.family = QString::fromLatin1(family_name(bundle->family()));
  info.device = request.device;
  info.precision = request.precision;
  info.default_size = static_cast<int>(bundle->default_image_size());
  info.size_multiple = static_cast<int>(std::max<std::int64_t>(8, bundle->vae_scale_factor()));
  // After the packs: their tokens count as one token each in the Story panel.
  auto tokenizers = std::make_shared<std::vector<ClipTokenizer>>();
  tokenizers->push_back(bundle->tokenizer());
  if (bundle->has_text_encoder_2()) tokenizers->push_back(bundle->tokenizer_2());
  info.tokenizers = std::move(tokenizers);
  bundle_ = std::move(bundle);
  request_ = loaded;
  emit message(tr("Model loaded: %1 (%2, %3)").arg(info.source, info.family, info.precision));
  if (!info.concepts.isEmpty()) {
    QStringList tokens;
    for (const ConceptEntry& c : info.concepts) tokens << c.token;
    emit message(tr("Concepts available: %1").arg(tokens.join(QStringLiteral(", "))));
  }
  emit modelLoaded(info);
}

void EngineWorker::loadModel(const ModelRequest& request) {
  try {
    load(request);
  } catch (const std::exception& e) {
    emit error(tr("Could not load the model %1: %2").arg(request.path, describe(e)));
  }
  emit taskDone();
}

void EngineWorker::runStory(const StorySpec& spec, const RunOptions& options) {
  const CancellationToken token = current_token();
  bool cancelled = false;
  try {
    if (!bundle_) throw std::runtime_error(tr("no model is loaded").toStdString());
    StoryPipeline pipeline(bundle_);
    pipeline.validate(spec);
    StoryRunOptions run;
    run.record_attention = options.record_attention;
    run.max_batch = options.max_batch;
    std::vector<int> todo;
    for (int j = 0; j < static_cast<int>(spec.frames.size()); ++j) todo.push_back(j);
    RunCollector collector(this, bundle_->tokenizer(), todo, options);
    emit message(tr("Generating %1 frames, %2 steps each").arg(spec.frames.size()).arg(spec.steps));
    const StoryResult result = pipeline.run(spec, run, &collector, token);
    cancelled = result.cancelled;
    emit message(cancelled ? tr("Cancelled: %1 finished frames kept").arg(result.frames.size())
                           : tr("Finished: %1 frames (window %2, batch %3)")
                                 .arg(result.frames.size())
                                 .arg(result.window_size)
                                 .arg(result.batch));
  } catch (const std::exception& e) {
    emit error(tr("The story could not be generated: %1").arg(describe(e)));
  }
  emit finished(cancelled);
  emit taskDone();
}

}  // namespace storyscope::ui
