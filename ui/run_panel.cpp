#include "ui/run_panel.h"

#include <ATen/Context.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/pipeline/model_loader.h"
#include "core/schedulers/factory.h"
#include "ui/appearance.h"
#include "ui/time_format.h"

namespace storyscope::ui {
namespace {

QSpinBox* size_box(const QString& tip) {
  auto* box = new QSpinBox;
  box->setRange(0, 4096);
  box->setSingleStep(8);
  box->setSpecialValueText(QObject::tr("model default"));
  box->setToolTip(tip);
  return box;
}

}  // namespace

QString RunPanel::demoModelPath() { return QString::fromStdString(demo_model_dir()); }

RunPanel::RunPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("RunPanel"));
  auto* column = new QVBoxLayout(this);
  column->addWidget(build_model_box());
  column->addWidget(build_settings_box());
  column->addWidget(build_run_box());
  column->addStretch(1);
  setNoModel(tr("No model loaded: choose a diffusers folder or a checkpoint and press Load."));
  setEngineState(false, false, false);
}

QWidget* RunPanel::build_model_box() {
  auto* box = new QGroupBox(tr("Model"));
  auto* layout = new QVBoxLayout(box);
  model_ = new QComboBox;
  model_->setEditable(true);
  model_->setObjectName(QStringLiteral("model"));
  model_->lineEdit()->setPlaceholderText(tr("diffusers folder or .safetensors checkpoint"));
  model_->setToolTip(
      tr("A diffusers folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/), "
         "a single-file checkpoint, or the shipped shapes demo."));
  if (const QString demo = demoModelPath(); !demo.isEmpty()) model_->addItem(tr("demo (shapes world)"), demo);
  auto* row = new QHBoxLayout;
  row->addWidget(model_, 1);
  auto* folder = new QToolButton;
  folder->setText(tr("Folder…"));
  folder->setToolTip(tr("Choose a diffusers model folder"));
  connect(folder, &QToolButton::clicked, this, [this] { browse(true); });
  auto* file = new QToolButton;
  file->setText(tr("File…"));
  file->setToolTip(tr("Choose a single-file checkpoint (.safetensors)"));
  connect(file, &QToolButton::clicked, this, [this] { browse(false); });
  row->addWidget(folder);
  row->addWidget(file);
  layout->addLayout(row);

  auto* form = new QFormLayout;
  device_ = new QComboBox;
  device_->addItem(tr("CPU"), QStringLiteral("cpu"));
  if (at::hasCUDA()) device_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
  precision_ = new QComboBox;
  precision_->addItem(tr("float32"), QStringLiteral("fp32"));
  precision_->addItem(tr("float16"), QStringLiteral("fp16"));
  precision_->addItem(tr("bfloat16"), QStringLiteral("bf16"));
  precision_->setToolTip(tr("Lower precision halves the memory; float16 is meant for GPUs."));
  form->addRow(tr("Device:"), device_);
  form->addRow(tr("Precision:"), precision_);
  layout->addLayout(form);

  load_ = new QPushButton(tr("Load model"));
  load_->setObjectName(QStringLiteral("loadModel"));
  connect(load_, &QPushButton::clicked, this, [this] {
    clearError();
    if (modelPath().isEmpty())
      showError(tr("Choose a model first."));
    else
      emit loadModelRequested(modelRequest());
  });
  model_status_ = new QLabel;
  model_status_->setObjectName(QStringLiteral("modelStatus"));
  model_status_->setWordWrap(true);
  layout->addWidget(load_);
  layout->addWidget(model_status_);
  return box;
}

QWidget* RunPanel::build_settings_box() {
  auto* box = new QGroupBox(tr("Sampling"));
  auto* form = new QFormLayout(box);
  sampler_ = new QComboBox;
  for (const std::string& name : scheduler_names())
    if (name.find("Scheduler") == std::string::npos) sampler_->addItem(QString::fromStdString(name));
  sampler_->setToolTip(tr("The scheduler that turns noise predictions into the next latents."));
  steps_ = new QSpinBox;
  steps_->setRange(1, 1000);
  steps_->setToolTip(tr("Denoising steps per frame."));
  guidance_ = new QDoubleSpinBox;
  guidance_->setRange(0, 50);
  guidance_->setSingleStep(0.5);
  guidance_->setToolTip(tr("Classifier-free guidance scale; 1 or less turns guidance off."));
  seed_ = new QSpinBox;
  seed_->setRange(0, 2147483647);
  seed_lock_ = new QCheckBox(tr("Lock"));
  seed_lock_->setChecked(true);
  seed_lock_->setToolTip(tr("Locked: every Generate uses this seed. Unlocked: a new seed for every run."));
  auto* dice = new QToolButton;
  dice->setText(tr("Random"));
  dice->setToolTip(tr("Pick a new seed now"));
  connect(dice, &QToolButton::clicked, this,
          [this] { seed_->setValue(static_cast<int>(QRandomGenerator::global()->bounded(2147483647u))); });
  auto* seed_row = new QHBoxLayout;
  seed_row->addWidget(seed_, 1);
  seed_row->addWidget(seed_lock_);
  seed_row->addWidget(dice);
  width_ = size_box(tr("Image width in pixels (a multiple of 8); 0 uses the model's size."));
  height_ = size_box(tr("Image height in pixels (a multiple of 8); 0 uses the model's size."));
  auto* size_row = new QHBoxLayout;
  size_row->addWidget(width_);
  size_row->addWidget(new QLabel(QStringLiteral("×")));
  size_row->addWidget(height_);
  form->addRow(tr("Sampler:"), sampler_);
  form->addRow(tr("Steps:"), steps_);
  form->addRow(tr("Guidance:"), guidance_);
  form->addRow(tr("Seed:"), seed_row);
  form->addRow(tr("Size:"), size_row);
  record_attention_ = new QCheckBox(tr("Record attention"));
  record_attention_->setChecked(true);
  record_attention_->setToolTip(
      tr("Keep every cross-attention map for the inspector and plots (frames then "
         "render one at a time and use more memory)."));
  previews_ = new QCheckBox(tr("Live preview"));
  previews_->setChecked(true);
  previews_->setToolTip(tr("Decode the predicted final image after every step (slower on large models)."));
  form->addRow(record_attention_);
  form->addRow(previews_);
  // Edits mark the project changed; setFromSpec (loading a story or project) does not.
  const auto edited = [this] {
    if (!loading_) emit changed();
  };
  connect(sampler_, &QComboBox::currentIndexChanged, this, edited);
  connect(steps_, &QSpinBox::valueChanged, this, edited);
  connect(guidance_, &QDoubleSpinBox::valueChanged, this, edited);
  connect(seed_, &QSpinBox::valueChanged, this, edited);
  connect(width_, &QSpinBox::valueChanged, this, edited);
  connect(height_, &QSpinBox::valueChanged, this, edited);
  connect(seed_lock_, &QCheckBox::toggled, this, edited);
  connect(record_attention_, &QCheckBox::toggled, this, edited);
  connect(previews_, &QCheckBox::toggled, this, edited);
  return box;
}

QWidget* RunPanel::build_run_box() {
  auto* box = new QGroupBox(tr("Run"));
  auto* layout = new QVBoxLayout(box);
  auto* buttons = new QHBoxLayout;
  generate_ = new QPushButton(tr("Generate"));
  generate_->setObjectName(QStringLiteral("generate"));
  generate_->setToolTip(tr("Render every frame of the story (Ctrl+Return)"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName(QStringLiteral("cancel"));
  cancel_->setToolTip(tr("Stop after the current step; finished frames are kept (Esc)"));
  connect(generate_, &QPushButton::clicked, this, &RunPanel::generateRequested);
  connect(cancel_, &QPushButton::clicked, this, &RunPanel::cancelRequested);
  buttons->addWidget(generate_);
  buttons->addWidget(cancel_);
  layout->addLayout(buttons);
  progress_ = new QProgressBar;
  progress_->setTextVisible(false);
  progress_text_ = new QLabel;
  progress_text_->setObjectName(QStringLiteral("progressText"));
  preview_ = new QLabel;
  preview_->setObjectName(QStringLiteral("preview"));
  preview_->setAlignment(Qt::AlignCenter);
  preview_->setMinimumSize(128, 128);
  preview_->setToolTip(tr("The predicted final image after the latest step"));
  error_ = new QLabel;
  error_->setObjectName(QStringLiteral("runError"));
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->hide();
  layout->addWidget(progress_);
  layout->addWidget(progress_text_);
  layout->addWidget(preview_);
  layout->addWidget(error_);
  return box;
}

void RunPanel::browse(bool folder) {
  const QString start = QFileInfo(modelPath()).absolutePath();
  const QString path =
      folder ? QFileDialog::getExistingDirectory(this, tr("Choose a diffusers model folder"), start)
             : QFileDialog::getOpenFileName(this, tr("Choose a checkpoint"), start,
                                            tr("Checkpoints (*.safetensors);;All files (*)"));
  if (!path.isEmpty()) setModelPath(path);
}

QString RunPanel::modelPath() const {
  const int i = model_->findText(model_->currentText());
  if (i >= 0 && model_->itemData(i).isValid()) return model_->itemData(i).toString();
  return model_->currentText().trimmed();
}

void RunPanel::setModelPath(const QString& path) {
  for (int i = 0; i < model_->count(); ++i)
    if (model_->itemData(i).toString() == path || model_->itemText(i) == path) {
      model_->setCurrentIndex(i);
      return;
    }
  model_->addItem(path);
  model_->setCurrentIndex(model_->count() - 1);
}

ModelRequest RunPanel::modelRequest() const {
  ModelRequest r;
  r.path = modelPath();
  r.device = device_->currentData().toString();
  r.precision = precision_->currentData().toString();
  return r;
}

RunOptions RunPanel::runOptions() const {
  RunOptions o;
  o.record_attention = record_attention_->isChecked();
  o.collect_previews = previews_->isChecked();
  return o;
}

void RunPanel::setRunOptions(const RunOptions& o) {
  loading_ = true;
  record_attention_->setChecked(o.record_attention);
  previews_->setChecked(o.collect_previews);
  loading_ = false;
}

bool RunPanel::seedLocked() const { return seed_lock_->isChecked(); }
void RunPanel::setSeedLocked(bool locked) {
  loading_ = true;
  seed_lock_->setChecked(locked);
  loading_ = false;
}

void RunPanel::applyTo(StorySpec& spec) const {
  spec.sampler = sampler_->currentText().toStdString();
  spec.steps = steps_->value();
  spec.guidance = guidance_->value();
  spec.seed = static_cast<std::uint64_t>(seed_->value());
  spec.width = width_->value();
  spec.height = height_->value();
}

void RunPanel::setFromSpec(const StorySpec& spec) {
  loading_ = true;
  const int sampler = sampler_->findText(QString::fromStdString(spec.sampler));
  if (sampler >= 0)
    sampler_->setCurrentIndex(sampler);
  else {  // a class name from a file: keep it selectable rather than silently change it
    sampler_->addItem(QString::fromStdString(spec.sampler));
    sampler_->setCurrentIndex(sampler_->count() - 1);
  }
  steps_->setValue(spec.steps);
  guidance_->setValue(spec.guidance);
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(spec.seed, 2147483647u)));
  width_->setValue(static_cast<int>(spec.width));
  height_->setValue(static_cast<int>(spec.height));
  loading_ = false;
}

void RunPanel::rollSeedIfUnlocked() {
  if (!seedLocked()) seed_->setValue(static_cast<int>(QRandomGenerator::global()->bounded(2147483647u)));
}

void RunPanel::setModelInfo(const ModelInfo& info) {
  model_status_->setText(tr("Loaded: %1 (%2, %3 on %4, %5 px)")
                             .arg(QFileInfo(info.source).fileName(), info.family, info.precision, info.device)
                             .arg(info.default_size));
  width_->setSingleStep(info.size_multiple);
  height_->setSingleStep(info.size_multiple);
}

void RunPanel::setNoModel(const QString& why) { model_status_->setText(why); }

void RunPanel::setEngineState(bool loading, bool running, bool has_model) {
  load_->setEnabled(!loading && !running);
  generate_->setEnabled(!loading && !running && has_model);
  cancel_->setEnabled(running);
  if (loading) model_status_->setText(tr("Loading the model…"));
  if (running) {
    progress_->setValue(0);
    progress_text_->setText(tr("Starting…"));
  }
}

void RunPanel::showProgress(int frame, int frames, int step, int steps, double it_per_second,
                            double eta_seconds) {
  progress_->setRange(0, std::max(1, frames * steps));
  progress_->setValue(frame * steps + step);
  progress_text_->setText(tr("frame %1/%2 · step %3/%4 · %5 it/s · ETA %6")
                              .arg(frame + 1)
                              .arg(frames)
                              .arg(step)
                              .arg(steps)
                              .arg(it_per_second, 0, 'f', 1)
                              .arg(format_eta(eta_seconds)));
}

void RunPanel::showPreview(int frame, int step, const QImage& x0) {
  const int side = std::max(128, std::min(preview_->width(), 256));
  preview_->setPixmap(
      QPixmap::fromImage(x0.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
  preview_->setToolTip(tr("Predicted final image of frame %1 after step %2").arg(frame + 1).arg(step));
}

void RunPanel::showActivity(const QString& text) {
  progress_->setValue(0);
  progress_text_->setText(text);
}

void RunPanel::showError(const QString& message) {
  error_->setStyleSheet(error_text_style(palette()));
  error_->setText(message);
  error_->show();
}

void RunPanel::clearError() {
  error_->clear();
  error_->hide();
}

}  // namespace storyscope::ui
