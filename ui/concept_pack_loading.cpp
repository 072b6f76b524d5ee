#include "ui/concept_pack_loading.h"

#include <QCoreApplication>
#include <QDir>
#include <exception>
#include <vector>

#include "core/training/concept_pack.h"

namespace storyscope::ui {

AppliedPacks apply_pack_folders(ModelBundle& bundle, const QStringList& dirs) {
  AppliedPacks out;
  std::vector<ConceptPack> packs;
  QStringList readable;
  for (const QString& dir : dirs) {
    if (readable.contains(dir)) continue;  // the same folder twice would clash with itself
    try {
      packs.push_back(load_concept_pack(QDir::toNativeSeparators(dir).toStdString()));
      readable << dir;
    } catch (const std::exception& e) {
      out.problems << QCoreApplication::translate("EngineWorker", "The concept pack %1 was not loaded: %2")
                          .arg(dir, QString::fromUtf8(e.what()));
    }
  }
  if (packs.empty()) return out;
  try {
    apply_concept_packs(bundle, packs);
  } catch (const std::exception& e) {
    out.problems << QCoreApplication::translate("EngineWorker",
                                                "The concept packs %1 were not applied to this model: %2")
                        .arg(readable.join(QStringLiteral(", ")), QString::fromUtf8(e.what()));
    return out;
  }
  for (int i = 0; i < readable.size(); ++i)
    for (const LearnedConcept& c : packs[static_cast<std::size_t>(i)].concepts)
      out.concepts.push_back(
          {QString::fromStdString(c.token), QString::fromStdString(c.init_word), readable[i]});
  out.packs = readable;
  return out;
}

}  // namespace storyscope::ui
