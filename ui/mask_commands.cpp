#include "ui/mask_commands.h"

namespace storyscope::ui {

MaskEditCommand::MaskEditCommand(MaskDocument* document, const QString& word, QImage before, QImage after,
                                 const QString& text)
    : QUndoCommand(text),
      document_(document),
      word_(word),
      before_(std::move(before)),
      after_(std::move(after)) {}

void MaskEditCommand::undo() {
  if (document_) document_->set_mask(word_, before_);
}

void MaskEditCommand::redo() {
  if (document_) document_->set_mask(word_, after_);
}

}  // namespace storyscope::ui
