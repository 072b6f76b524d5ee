#pragma once
// The Masks dock (DESIGN §6): paint a mask per prompt word on the frame (brush, eraser, flood
// fill, size), show/hide and colour the layers, undo/redo (one command per stroke), import and
// export a word's mask as PNG, and the alignment table (MSE, IoU, mass inside per word) for the
// inspector's view and step, recomputed after every edit.
#include <QImage>
#include <QMap>
#include <QWidget>

#include "ui/frame_data.h"
#include "ui/heatmap_selection.h"
#include "ui/heatmap_source.h"
#include "ui/mask_canvas.h"

class QLabel;
class QPushButton;
class QSpinBox;
class QUndoStack;

namespace storyscope::ui {

class AlignmentTable;
class MaskDocument;
class MaskLayerList;

class MaskPainter : public QWidget {
  Q_OBJECT
 public:
  explicit MaskPainter(QWidget* parent = nullptr);

  // A new frame: one blank layer per word of its prompt, the undo history cleared.
  void setFrame(FramePtr frame);
  // The inspector's view/layer/steps the alignment table scores (connect selectionChanged).
  void setSelection(const HeatmapSelection& selection);
  HeatmapSelection selection() const { return selection_; }

  // Masks by word (only words with something painted), Grayscale8 0/255 at the frame's size.
  QMap<QString, QImage> masks() const;
  // Replaces every layer (words not in the prompt are ignored; missing words become blank);
  // clears the undo history (for loading a project).
  void setMasks(const QMap<QString, QImage>& masks);
  // One word's mask, as an undoable edit.
  void setMask(const QString& word, const QImage& mask);
  QStringList words() const;
  // The frame the masks are painted on (null before the first frame).
  FramePtr frame() const { return frame_; }

  // PNG per word; throw storyscope::Error naming the file on failure. Import is undoable.
  void importMask(const QString& word, const QString& path);
  void exportMask(const QString& word, const QString& path) const;

  void setCurrentWord(const QString& word);
  QString currentWord() const;
  void setTool(MaskTool tool);
  void setBrushSize(int pixels);

  MaskCanvas* canvas() const { return canvas_; }
  AlignmentTable* alignmentTable() const { return table_; }
  QUndoStack* undoStack() const { return undo_; }
  MaskDocument* document() const { return document_; }

 signals:
  // After any change of any mask (paint, undo, import, setMasks).
  void masksChanged();
  // The "Extract concepts…" button: learn a token per painted layer (the main window answers).
  void extractConceptsRequested();

 private:
  QWidget* make_toolbar();
  void update_table();
  void import_clicked();
  void export_clicked();
  void clear_clicked();

  FramePtr frame_;
  HeatmapSource source_;
  HeatmapSelection selection_;
  MaskDocument* document_;
  QUndoStack* undo_;
  MaskCanvas* canvas_;
  MaskLayerList* layers_;
  AlignmentTable* table_;
  QLabel* table_title_;
  QSpinBox* size_;
  QPushButton* extract_;
};

}  // namespace storyscope::ui
