#pragma once
// The Story dock: identity prompt, frame prompts (add, remove, reorder by drag, duplicate), the
// sliding window, SVR and IPCA settings with presets, a live view of each frame's window and
// token count once a model (its tokenizers) is known, and the concept tokens the model carries.
#include <QWidget>
#include <memory>
#include <vector>

#include "core/story/story_spec.h"
#include "core/text/clip_tokenizer.h"
#include "ui/engine_types.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QTimer;
class QTreeWidget;

namespace storyscope::ui {

class StoryPanel : public QWidget {
  Q_OBJECT
 public:
  explicit StoryPanel(QWidget* parent = nullptr);

  // The story as edited. Fields this panel does not edit (seed, steps, guidance, sampler, size,
  // same_noise) keep the values of the last setSpec.
  StorySpec spec() const;
  void setSpec(const StorySpec& spec);
  // Tokenizers of the loaded model (null: no model, token counts are not shown).
  void setTokenizers(std::shared_ptr<const std::vector<ClipTokenizer>> tokenizers);

  // The learned tokens of the model's concept packs; the Concepts box is hidden while there are
  // none. Double-clicking a token inserts it into the identity prompt.
  void setConcepts(const ConceptList& concepts);
  void insertIntoIdentity(const QString& token);

  enum class Preset { Reference, Off, Npr, Svr, SvrIpca };
  void applyPreset(Preset preset);

  // For tests and keyboard users.
  QListWidget* frameList() const { return frames_; }
  QLineEdit* identityEdit() const { return identity_; }
  QTreeWidget* budgetView() const { return budget_; }
  QLabel* budgetMessage() const { return budget_message_; }
  QListWidget* conceptList() const { return concepts_; }
  QWidget* conceptBox() const { return concept_box_; }
  void addFrame(const QString& prompt);
  void removeSelectedFrame();
  void duplicateSelectedFrame();
  void moveSelectedFrame(int delta);
  // Recomputes the token view now (it normally follows edits after a short pause).
  void refreshBudget();

 signals:
  void changed();
  // "Remove pack" in the Concepts box: reload the model without this pack.
  void removeConceptPackRequested(const QString& pack_dir);

 private:
  QWidget* build_story_box();
  QWidget* build_window_box();
  QWidget* build_svr_box();
  QWidget* build_ipca_box();
  QWidget* build_concept_box();
  void on_edited();

  StorySpec base_;  // holds the fields edited elsewhere
  std::shared_ptr<const std::vector<ClipTokenizer>> tokenizers_;
  bool loading_ = false;

  QLineEdit* identity_ = nullptr;
  QLineEdit* negative_ = nullptr;
  QListWidget* frames_ = nullptr;
  QComboBox* window_mode_ = nullptr;
  QSpinBox* window_size_ = nullptr;
  QComboBox* svr_mode_ = nullptr;
  QDoubleSpinBox *enhance_alpha_ = nullptr, *enhance_beta_ = nullptr;
  QDoubleSpinBox *suppress_alpha_ = nullptr, *suppress_beta_ = nullptr;
  QCheckBox* ipca_ = nullptr;
  QLineEdit* ipca_positions_ = nullptr;
  QSpinBox* ipca_start_ = nullptr;
  QDoubleSpinBox* ipca_dropout_ = nullptr;
  QComboBox* preset_ = nullptr;
  QTreeWidget* budget_ = nullptr;
  QLabel* budget_message_ = nullptr;
  QTimer* budget_timer_ = nullptr;
  QWidget* concept_box_ = nullptr;
  QListWidget* concepts_ = nullptr;
};

}  // namespace storyscope::ui
