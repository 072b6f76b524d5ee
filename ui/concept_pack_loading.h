#pragma once
// Concept packs (Break-A-Scene, core/training/concept_pack.h) onto a freshly loaded model, for
// the EngineWorker: runs on the engine thread and answers in plain Qt values.
#include <QStringList>

#include "ui/engine_types.h"

namespace storyscope {
class ModelBundle;
}

namespace storyscope::ui {

struct AppliedPacks {
  ConceptList concepts;  // the tokens now in the model
  QStringList packs;     // the folders applied
  QStringList problems;  // one sentence per pack (or set of packs) left out, with the cause
};

// Reads every folder (an unreadable one is reported and skipped), then applies the rest together
// (apply_concept_packs checks them all first: when they do not fit the model, none is applied,
// and the model stays as loaded).
AppliedPacks apply_pack_folders(ModelBundle& bundle, const QStringList& dirs);

}  // namespace storyscope::ui
