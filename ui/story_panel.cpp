#include "ui/story_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/appearance.h"
#include "ui/prompt_budget.h"

namespace storyscope::ui {
namespace {

QDoubleSpinBox* weight_box(double min, double max, double step, int decimals, const QString& tip) {
  auto* box = new QDoubleSpinBox;
  box->setRange(min, max);
  box->setSingleStep(step);
  box->setDecimals(decimals);
  box->setToolTip(tip);
  return box;
}

QString join_window(const std::vector<int>& window) {
  QStringList parts;
  for (const int w : window) parts << QString::number(w + 1);
  return parts.join(QStringLiteral(" "));
}

}  // namespace

StoryPanel::StoryPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("StoryPanel"));
  auto* content = new QWidget;
  auto* column = new QVBoxLayout(content);

  auto* preset_row = new QHBoxLayout;
  preset_ = new QComboBox;
  preset_->addItems({tr("Reference defaults"), tr("Ablation: off"), tr("Ablation: NPR"), tr("Ablation: SVR"),
                     tr("Ablation: SVR + IPCA")});
  preset_->setToolTip(
      tr("Reference defaults are 1Prompt1Story's settings; the ablations switch SVR and "
         "IPCA off and on to compare the same story with and without each technique."));
  auto* apply = new QPushButton(tr("Apply preset"));
  connect(apply, &QPushButton::clicked, this,
          [this] { applyPreset(static_cast<Preset>(preset_->currentIndex())); });
  preset_row->addWidget(new QLabel(tr("Preset:")));
  preset_row->addWidget(preset_, 1);
  preset_row->addWidget(apply);
  column->addLayout(preset_row);
  column->addWidget(build_story_box());
  column->addWidget(build_concept_box());
  column->addWidget(build_window_box());
  column->addWidget(build_svr_box());
  column->addWidget(build_ipca_box());
  column->addStretch(1);

  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // the fields shrink to the dock
  scroll->setWidget(content);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);

  budget_timer_ = new QTimer(this);
  budget_timer_->setSingleShot(true);
  budget_timer_->setInterval(150);  // tokenize after a pause in typing, not on every key
  connect(budget_timer_, &QTimer::timeout, this, &StoryPanel::refreshBudget);

  setSpec(StorySpec{});
}

QWidget* StoryPanel::build_story_box() {
  auto* box = new QGroupBox(tr("Story"));
  auto* layout = new QVBoxLayout(box);
  auto* form = new QFormLayout;
  identity_ = new QLineEdit;
  identity_->setObjectName(QStringLiteral("identity"));
  identity_->setPlaceholderText(tr("who the story is about, e.g. a red fox"));
  identity_->setToolTip(
      tr("The identity prompt P0: it starts every frame's prompt, so the subject stays the same."));
  negative_ = new QLineEdit;
  negative_->setToolTip(tr("Negative prompt, shared by every frame."));
  form->addRow(tr("Identity:"), identity_);
  form->addRow(tr("Negative:"), negative_);
  layout->addLayout(form);

  frames_ = new QListWidget;
  frames_->setObjectName(QStringLiteral("frames"));
  frames_->setDragDropMode(QAbstractItemView::InternalMove);
  frames_->setDefaultDropAction(Qt::MoveAction);
  frames_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                           QAbstractItemView::SelectedClicked);
  frames_->setToolTip(tr("One prompt per frame. Double-click to edit, drag to reorder."));
  layout->addWidget(new QLabel(tr("Frames:")));
  layout->addWidget(frames_, 1);

  auto* buttons = new QHBoxLayout;
  const auto add_button = [&](const QString& text, const QString& tip, auto slot) {
    auto* b = new QToolButton;
    b->setText(text);
    b->setToolTip(tip);
    connect(b, &QToolButton::clicked, this, slot);
    buttons->addWidget(b);
  };
  add_button(tr("Add"), tr("Add a frame after the selected one"), [this] { addFrame(tr("a new scene")); });
  add_button(tr("Remove"), tr("Remove the selected frame"), [this] { removeSelectedFrame(); });
  add_button(tr("Duplicate"), tr("Duplicate the selected frame"), [this] { duplicateSelectedFrame(); });
  add_button(tr("Up"), tr("Move the selected frame up"), [this] { moveSelectedFrame(-1); });
  add_button(tr("Down"), tr("Move the selected frame down"), [this] { moveSelectedFrame(1); });
  buttons->addStretch(1);
  layout->addLayout(buttons);

  budget_ = new QTreeWidget;
  budget_->setObjectName(QStringLiteral("budget"));
  budget_->setRootIsDecorated(false);
  budget_->setHeaderLabels({tr("Frame"), tr("Window"), tr("Tokens")});
  budget_->setToolTip(
      tr("Each frame's prompt is the identity followed by the prompts of its window; "
         "the token count must fit every text encoder (75 tokens for CLIP)."));
  budget_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  budget_->setMaximumHeight(140);
  budget_message_ = new QLabel;
  budget_message_->setObjectName(QStringLiteral("budgetMessage"));
  budget_message_->setWordWrap(true);
  layout->addWidget(budget_);
  layout->addWidget(budget_message_);

  connect(identity_, &QLineEdit::textChanged, this, &StoryPanel::on_edited);
  connect(negative_, &QLineEdit::textChanged, this, &StoryPanel::on_edited);
  connect(frames_, &QListWidget::itemChanged, this, &StoryPanel::on_edited);
  // Drag-and-drop reordering arrives as moves or as insert + remove, depending on the view.
  connect(frames_->model(), &QAbstractItemModel::rowsMoved, this, &StoryPanel::on_edited);
  connect(frames_->model(), &QAbstractItemModel::rowsInserted, this, &StoryPanel::on_edited);
  connect(frames_->model(), &QAbstractItemModel::rowsRemoved, this, &StoryPanel::on_edited);
  return box;
}

QWidget* StoryPanel::build_concept_box() {
  auto* box = new QGroupBox(tr("Concepts"));
  box->setObjectName(QStringLiteral("concepts"));
  auto* layout = new QVBoxLayout(box);
  concepts_ = new QListWidget;
  concepts_->setObjectName(QStringLiteral("conceptList"));
  concepts_->setToolTip(
      tr("Tokens learned from masked objects (Masks › Extract concepts). Double-click one to put it "
         "into the identity prompt."));
  concepts_->setMaximumHeight(110);
  connect(concepts_, &QListWidget::itemDoubleClicked, this,
          [this](QListWidgetItem* item) { insertIntoIdentity(item->data(Qt::UserRole).toString()); });
  auto* buttons = new QHBoxLayout;
  auto* insert = new QToolButton;
  insert->setText(tr("Insert"));
  insert->setToolTip(tr("Put the selected token into the identity prompt"));
  connect(insert, &QToolButton::clicked, this, [this] {
    if (QListWidgetItem* item = concepts_->currentItem())
      insertIntoIdentity(item->data(Qt::UserRole).toString());
  });
  auto* remove = new QToolButton;
  remove->setText(tr("Remove pack"));
  remove->setToolTip(tr("Unload the concept pack of the selected token (its files stay on disk)"));
  connect(remove, &QToolButton::clicked, this, [this] {
    if (QListWidgetItem* item = concepts_->currentItem())
      emit removeConceptPackRequested(item->data(Qt::UserRole + 1).toString());
  });
  buttons->addWidget(insert);
  buttons->addWidget(remove);
  buttons->addStretch(1);
  layout->addWidget(concepts_);
  layout->addLayout(buttons);
  concept_box_ = box;
  box->hide();  // until a model with concepts is loaded
  return box;
}

void StoryPanel::setConcepts(const ConceptList& concepts) {
  concepts_->clear();
  for (const ConceptEntry& c : concepts) {
    const QString text = c.init_word.isEmpty() ? c.token : tr("%1 (%2)").arg(c.token, c.init_word);
    auto* item = new QListWidgetItem(text, concepts_);
    item->setData(Qt::UserRole, c.token);
    item->setData(Qt::UserRole + 1, c.pack_dir);
    item->setToolTip(tr("From the concept pack %1").arg(c.pack_dir));
  }
  concept_box_->setVisible(!concepts.isEmpty());
}

void StoryPanel::insertIntoIdentity(const QString& token) {
  if (token.isEmpty()) return;
  // At the cursor, with a space on each side where a word would otherwise touch it.
  const QString text = identity_->text();
  const int at = identity_->cursorPosition();
  QString piece = token;
  if (at > 0 && !text.at(at - 1).isSpace()) piece.prepend(QLatin1Char(' '));
  if (at < text.size() && !text.at(at).isSpace()) piece.append(QLatin1Char(' '));
  identity_->insert(piece);
  identity_->setFocus();
}

QWidget* StoryPanel::build_window_box() {
  auto* box = new QGroupBox(tr("Sliding window"));
  auto* form = new QFormLayout(box);
  window_mode_ = new QComboBox;
  window_mode_->addItem(tr("Circular (reference code)"), QStringLiteral("circular"));
  window_mode_->addItem(tr("Trailing (paper)"), QStringLiteral("trailing"));
  window_mode_->setToolTip(
      tr("Which frame prompts join each frame's prompt. Circular: the frame and the "
         "next ones, wrapping around. Trailing: the frames ending at this one."));
  window_size_ = new QSpinBox;
  window_size_->setRange(1, 64);
  window_size_->setToolTip(
      tr("How many frame prompts each prompt holds. The run uses fewer when the "
         "prompts would not fit the text encoder."));
  form->addRow(tr("Mode:"), window_mode_);
  form->addRow(tr("Size:"), window_size_);
  connect(window_mode_, &QComboBox::currentIndexChanged, this, &StoryPanel::on_edited);
  connect(window_size_, &QSpinBox::valueChanged, this, &StoryPanel::on_edited);
  return box;
}

QWidget* StoryPanel::build_svr_box() {
  auto* box = new QGroupBox(tr("Singular-value reweighting (SVR)"));
  auto* form = new QFormLayout(box);
  svr_mode_ = new QComboBox;
  svr_mode_->addItem(tr("SVR"), QStringLiteral("svr"));
  svr_mode_->addItem(tr("SVR incl. end tokens"), QStringLiteral("svr-eot"));
  svr_mode_->addItem(tr("Naive prompt reweighting (NPR)"), QStringLiteral("npr"));
  svr_mode_->addItem(tr("Off"), QStringLiteral("off"));
  svr_mode_->setToolTip(
      tr("SVR strengthens the current frame's words and weakens the other frames' words "
         "in the text embedding by rescaling singular values: s' = beta * s * exp(-alpha * s)."));
  const QString alpha_tip =
      tr("alpha in s' = beta * s * exp(-alpha * s): how strongly large singular values "
         "are damped (negative: boosted).");
  const QString beta_tip =
      tr("beta in s' = beta * s * exp(-alpha * s): overall scale of the singular values.");
  enhance_alpha_ = weight_box(-10, 10, 0.01, 3, tr("Express (current frame): ") + alpha_tip);
  enhance_beta_ = weight_box(0, 10, 0.05, 3, tr("Express (current frame): ") + beta_tip);
  suppress_alpha_ = weight_box(-10, 10, 0.01, 3, tr("Suppress (other frames): ") + alpha_tip);
  suppress_beta_ = weight_box(0, 10, 0.01, 3, tr("Suppress (other frames): ") + beta_tip);
  form->addRow(tr("Mode:"), svr_mode_);
  form->addRow(tr("Express α:"), enhance_alpha_);
  form->addRow(tr("Express β:"), enhance_beta_);
  form->addRow(tr("Suppress α:"), suppress_alpha_);
  form->addRow(tr("Suppress β:"), suppress_beta_);
  connect(svr_mode_, &QComboBox::currentIndexChanged, this, &StoryPanel::on_edited);
  for (QDoubleSpinBox* b : {enhance_alpha_, enhance_beta_, suppress_alpha_, suppress_beta_})
    connect(b, &QDoubleSpinBox::valueChanged, this, &StoryPanel::on_edited);
  return box;
}

QWidget* StoryPanel::build_ipca_box() {
  auto* box = new QGroupBox(tr("Identity-preserving cross-attention (IPCA)"));
  auto* form = new QFormLayout(box);
  ipca_ = new QCheckBox(tr("Enabled"));
  ipca_->setToolTip(
      tr("Every cross-attention layer also attends to the identity prompt's keys and values, "
         "which keeps the subject consistent across frames."));
  ipca_positions_ = new QLineEdit;
  ipca_positions_->setToolTip(
      tr("Where IPCA acts, comma-separated: down, mid, up (whole parts of the UNet) or "
         "single blocks such as down1, up0."));
  ipca_start_ = new QSpinBox;
  ipca_start_->setRange(0, 1000);
  ipca_start_->setToolTip(tr("The first denoising step with IPCA; earlier steps use plain cross-attention."));
  ipca_dropout_ = weight_box(0, 0.99, 0.05, 2,
                             tr("Probability of dropping each identity key (seeded per frame), "
                                "to loosen the identity's grip."));
  form->addRow(ipca_);
  form->addRow(tr("Positions:"), ipca_positions_);
  form->addRow(tr("Start step:"), ipca_start_);
  form->addRow(tr("Dropout:"), ipca_dropout_);
  connect(ipca_, &QCheckBox::toggled, this, &StoryPanel::on_edited);
  connect(ipca_positions_, &QLineEdit::textChanged, this, &StoryPanel::on_edited);
  connect(ipca_start_, &QSpinBox::valueChanged, this, &StoryPanel::on_edited);
  connect(ipca_dropout_, &QDoubleSpinBox::valueChanged, this, &StoryPanel::on_edited);
  return box;
}

void StoryPanel::on_edited() {
  if (loading_) return;
  budget_timer_->start();
  emit changed();
}

StorySpec StoryPanel::spec() const {
  StorySpec s = base_;
  s.identity = identity_->text().trimmed().toStdString();
  s.negative = negative_->text().trimmed().toStdString();
  s.frames.clear();
  for (int i = 0; i < frames_->count(); ++i)
    s.frames.push_back(frames_->item(i)->text().trimmed().toStdString());
  s.window_mode = window_mode_->currentIndex() == 1 ? WindowMode::Trailing : WindowMode::Circular;
  s.window_size = window_size_->value();
  s.svr_mode =
      svr_mode_from_name(svr_mode_->currentData().toString().toStdString(), "story panel", "svr.mode");
  s.enhance = {enhance_alpha_->value(), enhance_beta_->value()};
  s.suppress = {suppress_alpha_->value(), suppress_beta_->value()};
  s.ipca = ipca_->isChecked();
  s.ipca_positions.clear();
  for (const QString& p : ipca_positions_->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
    if (!p.trimmed().isEmpty()) s.ipca_positions.push_back(p.trimmed().toStdString());
  s.ipca_start_step = ipca_start_->value();
  s.ipca_dropout = ipca_dropout_->value();
  return s;
}

void StoryPanel::setSpec(const StorySpec& s) {
  loading_ = true;
  base_ = s;
  identity_->setText(QString::fromStdString(s.identity));
  negative_->setText(QString::fromStdString(s.negative));
  frames_->clear();
  for (const std::string& f : s.frames) addFrame(QString::fromStdString(f));
  window_mode_->setCurrentIndex(s.window_mode == WindowMode::Trailing ? 1 : 0);
  window_size_->setValue(s.window_size);
  svr_mode_->setCurrentIndex(svr_mode_->findData(QString::fromLatin1(svr_mode_name(s.svr_mode))));
  enhance_alpha_->setValue(s.enhance.alpha);
  enhance_beta_->setValue(s.enhance.beta);
  suppress_alpha_->setValue(s.suppress.alpha);
  suppress_beta_->setValue(s.suppress.beta);
  ipca_->setChecked(s.ipca);
  QStringList positions;
  for (const std::string& p : s.ipca_positions) positions << QString::fromStdString(p);
  ipca_positions_->setText(positions.join(QStringLiteral(", ")));
  ipca_start_->setValue(s.ipca_start_step);
  ipca_dropout_->setValue(s.ipca_dropout);
  loading_ = false;
  refreshBudget();
}

void StoryPanel::applyPreset(Preset preset) {
  StorySpec s = spec();
  const StorySpec reference;
  s.svr_mode = reference.svr_mode;
  s.enhance = reference.enhance;
  s.suppress = reference.suppress;
  s.ipca = reference.ipca;
  s.ipca_positions = reference.ipca_positions;
  s.ipca_start_step = reference.ipca_start_step;
  s.ipca_dropout = reference.ipca_dropout;
  switch (preset) {
    case Preset::Reference:
      s.window_mode = reference.window_mode;
      s.window_size = reference.window_size;
      break;
    case Preset::Off:
      s.svr_mode = SvrMode::Off;
      s.ipca = false;
      break;
    case Preset::Npr:
      s.svr_mode = SvrMode::Npr;
      s.ipca = false;
      break;
    case Preset::Svr:
      s.ipca = false;
      break;
    case Preset::SvrIpca:
      break;
  }
  setSpec(s);
  emit changed();
}

void StoryPanel::setTokenizers(std::shared_ptr<const std::vector<ClipTokenizer>> tokenizers) {
  tokenizers_ = std::move(tokenizers);
  refreshBudget();
}

void StoryPanel::addFrame(const QString& prompt) {
  auto* item = new QListWidgetItem(prompt);
  item->setFlags(item->flags() | Qt::ItemIsEditable | Qt::ItemIsDragEnabled);
  const int row = frames_->currentRow();
  if (loading_ || row < 0)
    frames_->addItem(item);
  else
    frames_->insertItem(row + 1, item);
  if (!loading_) {
    frames_->setCurrentItem(item);
    on_edited();
  }
}

void StoryPanel::removeSelectedFrame() {
  const int row = frames_->currentRow();
  if (row < 0) return;
  delete frames_->takeItem(row);
  on_edited();
}

void StoryPanel::duplicateSelectedFrame() {
  if (QListWidgetItem* item = frames_->currentItem()) addFrame(item->text());
}

void StoryPanel::moveSelectedFrame(int delta) {
  const int row = frames_->currentRow();
  const int to = row + delta;
  if (row < 0 || to < 0 || to >= frames_->count()) return;
  QListWidgetItem* item = frames_->takeItem(row);
  frames_->insertItem(to, item);
  frames_->setCurrentRow(to);
  on_edited();
}

void StoryPanel::refreshBudget() {
  budget_timer_->stop();
  budget_->clear();
  if (!tokenizers_) {
    budget_message_->setText(tr("Load a model to see each frame's window and token count."));
    return;
  }
  const PromptBudget report = prompt_budget(*tokenizers_, spec());
  for (const FrameBudget& f : report.frames) {
    QStringList counts;
    bool over = false;
    for (std::size_t e = 0; e < f.tokens.size(); ++e) {
      counts << QStringLiteral("%1/%2").arg(f.tokens[e]).arg(f.budgets[e]);
      over = over || f.tokens[e] > f.budgets[e];
    }
    auto* row = new QTreeWidgetItem(
        budget_, {QString::number(f.frame + 1), join_window(f.window), counts.join(QStringLiteral(" · "))});
    if (over) row->setForeground(2, QBrush(error_text_colour(palette())));
  }
  if (!report.error.isEmpty()) {
    budget_message_->setText(tr("This story cannot run as written: %1").arg(report.error));
    budget_message_->setStyleSheet(error_text_style(palette()));
  } else {
    budget_message_->setText(
        tr("Window: %1 of %2 frames per prompt").arg(report.window_size).arg(spec().window_size));
    budget_message_->setStyleSheet(QString());
  }
}

}  // namespace storyscope::ui
