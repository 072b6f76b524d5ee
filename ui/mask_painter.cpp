#include "ui/mask_painter.h"

#include <QAction>
#include <QActionGroup>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include "ui/alignment_table.h"
#include "ui/mask_commands.h"
#include "ui/mask_document.h"
#include "ui/mask_image.h"
#include "ui/mask_layer_list.h"

namespace storyscope::ui {

MaskPainter::MaskPainter(QWidget* parent)
    : QWidget(parent),
      document_(new MaskDocument(this)),
      undo_(new QUndoStack(this)),
      canvas_(new MaskCanvas(document_, this)),
      layers_(new MaskLayerList(document_, this)),
      table_(new AlignmentTable(this)),
      table_title_(new QLabel(this)),
      size_(new QSpinBox(this)),
      extract_(new QPushButton(tr("Extract concepts…"), this)) {
  auto* side = new QWidget(this);
  auto* side_layout = new QVBoxLayout(side);
  side_layout->setContentsMargins(0, 0, 0, 0);
  side_layout->addWidget(new QLabel(tr("Words"), side));
  side_layout->addWidget(layers_, 1);
  extract_->setObjectName(QStringLiteral("extractConcepts"));
  extract_->setToolTip(
      tr("Learn a new token for each painted object (Break-A-Scene), so prompts can ask for it "
         "again: \"<asset0> on the grass\""));
  extract_->setEnabled(false);
  side_layout->addWidget(extract_);
  connect(extract_, &QPushButton::clicked, this, &MaskPainter::extractConceptsRequested);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(canvas_);
  split->addWidget(side);
  split->setStretchFactor(0, 1);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(make_toolbar());
  layout->addWidget(split, 1);
  layout->addWidget(table_title_);
  layout->addWidget(table_);

  connect(layers_, &MaskLayerList::wordChosen, canvas_, &MaskCanvas::set_current_word);
  connect(canvas_, &MaskCanvas::editFinished, this,
          [this](const QString& word, const QImage& before, const QImage& after, const QString& what) {
            undo_->push(new MaskEditCommand(document_, word, before, after, what));
          });
  connect(document_, &MaskDocument::maskChanged, this, [this] {
    extract_->setEnabled(!document_->non_empty_masks().isEmpty());
    update_table();
    emit masksChanged();
  });
  update_table();
}

QWidget* MaskPainter::make_toolbar() {
  auto* bar = new QWidget(this);
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(0, 0, 0, 0);
  auto* group = new QActionGroup(bar);
  const auto add_tool = [&](const QString& text, const QString& tip, MaskTool tool, const QKeySequence& key) {
    auto* action = new QAction(text, group);
    action->setCheckable(true);
    action->setToolTip(tip);
    action->setShortcut(key);
    connect(action, &QAction::triggered, this, [this, tool] { canvas_->set_tool(tool); });
    auto* button = new QToolButton(bar);
    button->setDefaultAction(action);
    row->addWidget(button);
    return action;
  };
  add_tool(tr("Brush"), tr("Paint the current word's mask (B)"), MaskTool::Brush, QKeySequence(tr("B")))
      ->setChecked(true);
  add_tool(tr("Eraser"), tr("Erase from the current word's mask (E)"), MaskTool::Eraser,
           QKeySequence(tr("E")));
  add_tool(tr("Fill"), tr("Flood-fill the region under the click (F)"), MaskTool::Fill,
           QKeySequence(tr("F")));
  row->addWidget(new QLabel(tr("Size"), bar));
  size_->setRange(1, 64);
  size_->setValue(canvas_->brush_size());
  size_->setSuffix(tr(" px"));
  size_->setToolTip(tr("Brush and eraser diameter in image pixels"));
  connect(size_, &QSpinBox::valueChanged, canvas_, &MaskCanvas::set_brush_size);
  row->addWidget(size_);

  QAction* undo = undo_->createUndoAction(bar, tr("Undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = undo_->createRedoAction(bar, tr("Redo"));
  redo->setShortcut(QKeySequence::Redo);
  for (QAction* a : {undo, redo}) {
    auto* button = new QToolButton(bar);
    button->setDefaultAction(a);
    row->addWidget(button);
  }
  const auto add_button = [&](const QString& text, const QString& tip, void (MaskPainter::*slot)()) {
    auto* button = new QToolButton(bar);
    button->setText(text);
    button->setToolTip(tip);
    connect(button, &QToolButton::clicked, this, slot);
    row->addWidget(button);
  };
  add_button(tr("Import…"), tr("Load the current word's mask from a PNG"), &MaskPainter::import_clicked);
  add_button(tr("Export…"), tr("Save the current word's mask as a PNG"), &MaskPainter::export_clicked);
  add_button(tr("Clear"), tr("Clear the current word's mask"), &MaskPainter::clear_clicked);
  row->addStretch(1);
  return bar;
}

void MaskPainter::setFrame(FramePtr frame) {
  frame_ = frame;
  source_ = HeatmapSource(frame);
  QStringList words;
  for (const WordSpan& s : source_.spans()) words << QString::fromStdString(s.word);
  const QSize size = frame ? frame->image.size() : QSize();
  undo_->clear();
  document_->reset(words, size);
  canvas_->set_background(frame ? frame->image : QImage());
  canvas_->set_current_word(layers_->current_word());
  extract_->setEnabled(false);
  update_table();
  emit masksChanged();
}

void MaskPainter::setSelection(const HeatmapSelection& selection) {
  selection_ = selection;
  update_table();
}

QMap<QString, QImage> MaskPainter::masks() const { return document_->non_empty_masks(); }

void MaskPainter::setMasks(const QMap<QString, QImage>& masks) {
  undo_->clear();
  for (const QString& w : document_->words())
    document_->set_mask(w, masks.value(w, blank_mask(document_->size())));
  extract_->setEnabled(!document_->non_empty_masks().isEmpty());
  canvas_->update();
  update_table();
  emit masksChanged();
}

void MaskPainter::setMask(const QString& word, const QImage& mask) {
  if (!document_->contains(word)) return;
  undo_->push(new MaskEditCommand(
      document_, word, document_->mask(word),
      binarise_mask(mask.scaled(document_->size(), Qt::IgnoreAspectRatio, Qt::FastTransformation)),
      tr("Set %1").arg(word)));
}

QStringList MaskPainter::words() const { return document_->words(); }

void MaskPainter::importMask(const QString& word, const QString& path) {
  if (!document_->contains(word)) return;
  const QImage mask = read_mask_file(path, document_->size());
  undo_->push(new MaskEditCommand(document_, word, document_->mask(word), mask, tr("Import %1").arg(word)));
}

void MaskPainter::exportMask(const QString& word, const QString& path) const {
  write_mask_file(document_->mask(word), path);
}

void MaskPainter::setCurrentWord(const QString& word) {
  layers_->select_word(word);
  canvas_->set_current_word(word);
}

QString MaskPainter::currentWord() const { return canvas_->current_word(); }
void MaskPainter::setTool(MaskTool tool) { canvas_->set_tool(tool); }
void MaskPainter::setBrushSize(int pixels) { size_->setValue(pixels); }

void MaskPainter::update_table() {
  const QString where = selection_.view == HeatmapView::Layer ? selection_.layer : view_id(selection_.view);
  const QString when = selection_.steps.first == selection_.steps.last
                           ? tr("step %1").arg(selection_.steps.first)
                           : tr("all steps");
  table_title_->setText(tr("Alignment for %1, %2").arg(where, when));
  table_->set_entries(score_masks(source_, selection_, document_->non_empty_masks()));
}

void MaskPainter::import_clicked() {
  const QString word = currentWord();
  if (word.isEmpty()) return;
  const QString path = QFileDialog::getOpenFileName(this, tr("Import mask for \"%1\"").arg(word), QString(),
                                                    tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  try {
    importMask(word, path);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Import mask"), QString::fromUtf8(e.what()));
  }
}

void MaskPainter::export_clicked() {
  const QString word = currentWord();
  if (word.isEmpty()) return;
  const QString path = QFileDialog::getSaveFileName(this, tr("Export mask of \"%1\"").arg(word),
                                                    word + QStringLiteral(".png"), tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  try {
    exportMask(word, path);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export mask"), QString::fromUtf8(e.what()));
  }
}

void MaskPainter::clear_clicked() {
  const QString word = currentWord();
  if (word.isEmpty() || mask_is_empty(document_->mask(word))) return;
  undo_->push(new MaskEditCommand(document_, word, document_->mask(word), blank_mask(document_->size()),
                                  tr("Clear %1").arg(word)));
}

}  // namespace storyscope::ui
