#pragma once
// One undoable mask edit (a brush/eraser stroke, a fill, an import or a clear): the word's mask
// before and after, so undo restores the exact previous pixels.
#include <QImage>
#include <QPointer>
#include <QUndoCommand>

#include "ui/mask_document.h"

namespace storyscope::ui {

class MaskEditCommand : public QUndoCommand {
 public:
  MaskEditCommand(MaskDocument* document, const QString& word, QImage before, QImage after,
                  const QString& text);
  void undo() override;
  void redo() override;

 private:
  QPointer<MaskDocument> document_;
  QString word_;
  QImage before_, after_;
};

}  // namespace storyscope::ui
