#include "ui/concept_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <limits>

#include "core/training/concept_extractor.h"
#include "ui/concept_run_view.h"

namespace storyscope::ui {
namespace {

enum Column { WordColumn = 0, InitColumn = 1 };

QSpinBox* steps_box(std::int64_t value, const QString& tip) {
  auto* box = new QSpinBox;
  box->setRange(0, 100000);
  box->setSingleStep(50);
  box->setValue(static_cast<int>(value));
  box->setToolTip(tip);
  return box;
}

}  // namespace

ConceptDialog::ConceptDialog(const ConceptDialogInput& input, QWidget* parent)
    : QDialog(parent), input_(input), run_(new ConceptRunView(this)) {
  setObjectName(QStringLiteral("ConceptDialog"));
  setWindowTitle(tr("Extract concepts"));
  start_ = new QPushButton(tr("Extract"), this);
  start_->setObjectName(QStringLiteral("extract"));
  start_->setDefault(true);
  start_->setToolTip(tr("Learn one new token per ticked mask layer from this frame"));
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName(QStringLiteral("cancel"));
  cancel_->setToolTip(tr("Stop after the current step; the checkpoint is kept and no pack is written"));
  close_ = new QPushButton(tr("Close"), this);
  auto* buttons = new QDialogButtonBox(this);
  buttons->addButton(start_, QDialogButtonBox::ActionRole);
  buttons->addButton(cancel_, QDialogButtonBox::ActionRole);
  buttons->addButton(close_, QDialogButtonBox::RejectRole);
  connect(start_, &QPushButton::clicked, this, &ConceptDialog::start_clicked);
  connect(cancel_, &QPushButton::clicked, this, &ConceptDialog::cancelRequested);
  connect(close_, &QPushButton::clicked, this, &QDialog::reject);  // hides; the run goes on

  auto* columns = new QHBoxLayout;
  columns->addWidget(build_settings());
  columns->addWidget(run_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(columns, 1);
  layout->addWidget(buttons);
  run_->setStatus(tr("Tick the layers to learn and press Extract."));
  update_buttons();
  resize(900, 520);
}

QWidget* ConceptDialog::build_settings() {
  settings_ = new QWidget(this);
  auto* column = new QVBoxLayout(settings_);
  column->setContentsMargins(0, 0, 0, 0);

  auto* concepts = new QGroupBox(tr("Concepts"), settings_);
  auto* concepts_layout = new QVBoxLayout(concepts);
  layers_ = new QTableWidget(static_cast<int>(input_.words.size()), 2, concepts);
  layers_->setObjectName(QStringLiteral("layers"));
  layers_->setHorizontalHeaderLabels({tr("Mask layer"), tr("Initializer word")});
  layers_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  layers_->verticalHeader()->hide();
  layers_->setToolTip(
      tr("Each ticked layer becomes one new token (<asset0>, <asset1>, … in this order). Its "
         "embedding starts from the initializer word; leave it empty to start from the mean."));
  for (int i = 0; i < input_.words.size(); ++i) {
    auto* word = new QTableWidgetItem(input_.words[i]);
    word->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    word->setCheckState(Qt::Checked);
    layers_->setItem(i, WordColumn, word);
    layers_->setItem(i, InitColumn, new QTableWidgetItem(input_.words[i]));
  }
  connect(layers_, &QTableWidget::itemChanged, this, [this] { update_buttons(); });
  concepts_layout->addWidget(layers_);
  column->addWidget(concepts, 1);

  const ConceptExtractionOptions defaults;
  auto* training = new QGroupBox(tr("Training"), settings_);
  auto* form = new QFormLayout(training);
  phase1_ = steps_box(defaults.phase1_steps, tr("Phase 1: only the new token embeddings learn"));
  phase2_ = steps_box(defaults.phase2_steps,
                      tr("Phase 2: the UNet and the text encoder learn too, at a much lower rate"));
  lambda_ = new QDoubleSpinBox;
  lambda_->setDecimals(4);
  lambda_->setRange(0.0, 10.0);
  lambda_->setSingleStep(0.005);
  lambda_->setValue(defaults.lambda_attention);
  lambda_->setToolTip(
      tr("Weight of the attention loss, which pulls each token's cross-attention map onto its "
         "mask (0: the masked diffusion loss alone)"));
  seed_ = new QSpinBox;
  seed_->setRange(0, std::numeric_limits<int>::max());
  seed_->setValue(static_cast<int>(defaults.seed));
  seed_->setToolTip(tr("Seeds the timesteps, noise, flips and token subsets of every step"));
  prefix_ = new QLineEdit(input_.token_prefix);
  prefix_->setObjectName(QStringLiteral("prefix"));
  prefix_->setToolTip(tr("The tokens are <prefix0>, <prefix1>, …: choose one not in use"));
  form->addRow(tr("Phase 1 steps:"), phase1_);
  form->addRow(tr("Phase 2 steps:"), phase2_);
  form->addRow(tr("Attention loss λ:"), lambda_);
  form->addRow(tr("Seed:"), seed_);
  form->addRow(tr("Token prefix:"), prefix_);
  column->addWidget(training);

  auto* output = new QGroupBox(tr("Concept pack folder"), settings_);
  auto* row = new QHBoxLayout(output);
  folder_ = new QLineEdit(input_.out_dir);
  folder_->setObjectName(QStringLiteral("folder"));
  folder_->setToolTip(
      tr("concepts.safetensors and concepts.json go here, with a checkpoint while it runs "
         "(a cancelled run resumes from it when started again with the same settings)"));
  auto* browse = new QToolButton;
  browse->setText(tr("Browse…"));
  connect(browse, &QToolButton::clicked, this, &ConceptDialog::browse);
  row->addWidget(folder_, 1);
  row->addWidget(browse);
  column->addWidget(output);
  for (QSpinBox* b : {phase1_, phase2_})
    connect(b, &QSpinBox::valueChanged, this, [this] { update_buttons(); });
  connect(prefix_, &QLineEdit::textChanged, this, [this] { update_buttons(); });
  connect(folder_, &QLineEdit::textChanged, this, [this] { update_buttons(); });
  return settings_;
}

ConceptRequest ConceptDialog::request() const {
  ConceptRequest r;
  r.image = input_.image;
  for (int i = 0; i < layers_->rowCount(); ++i) {
    if (layers_->item(i, WordColumn)->checkState() != Qt::Checked) continue;
    r.words << input_.words[i];
    r.masks << input_.masks.value(i);
    r.init_words << layers_->item(i, InitColumn)->text().trimmed();
  }
  r.token_prefix = prefix_->text().trimmed();
  r.phase1_steps = phase1_->value();
  r.phase2_steps = phase2_->value();
  r.lambda_attention = lambda_->value();
  r.seed = static_cast<quint64>(seed_->value());
  r.out_dir = folder_->text().trimmed();
  return r;
}

void ConceptDialog::update_buttons() {
  const ConceptRequest r = request();
  const bool prefix_ok = !r.token_prefix.isEmpty() && !r.token_prefix.contains(QLatin1Char(' ')) &&
                         !r.token_prefix.contains(QLatin1Char('<')) &&
                         !r.token_prefix.contains(QLatin1Char('>'));
  start_->setEnabled(!running_ && !r.masks.isEmpty() && r.phase1_steps + r.phase2_steps > 0 &&
                     !r.out_dir.isEmpty() && prefix_ok);
  cancel_->setEnabled(running_);
  settings_->setEnabled(!running_);
}

void ConceptDialog::start_clicked() {
  const ConceptRequest r = request();
  run_->start(r.phase1_steps + r.phase2_steps);
  emit startRequested(r);
}

void ConceptDialog::browse() {
  const QString dir =
      QFileDialog::getExistingDirectory(this, tr("Folder for the concept pack"), folder_->text());
  if (!dir.isEmpty()) folder_->setText(dir);
}

void ConceptDialog::setRunning(bool running) {
  running_ = running;
  update_buttons();
}

void ConceptDialog::showProgress(const ConceptProgress& progress) { run_->showProgress(progress); }

void ConceptDialog::showFinished(bool cancelled, const QString& pack_dir) {
  if (cancelled)
    run_->setStatus(tr("Cancelled: no pack was written. Press Extract to resume from the checkpoint."));
  else if (!pack_dir.isEmpty())
    run_->setStatus(
        tr("Done: the pack is in %1. The new tokens are listed in the Story panel.").arg(pack_dir));
  setRunning(false);
}

void ConceptDialog::showError(const QString& message) {
  run_->setStatus(message);
  setRunning(false);
}

}  // namespace storyscope::ui
