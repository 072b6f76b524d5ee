#pragma once
// The prompt a concept extraction trains with: Break-A-Scene's "a photo of <asset0> and <asset1>",
// unless the model's vocabulary does not know those words as whole tokens (the shapes demo model
// knows only its world's words, and would see "photo" as character pieces) — then the phrasing
// of its captions, "a <asset0> next to a <asset1>", when it knows that one.
#include <string>
#include <vector>

#include "core/text/clip_tokenizer.h"

namespace storyscope {

struct ConceptPhrasing {
  std::string prefix = "a photo of ";
  std::string joiner = " and ";
  // prefix + tokens joined by joiner
  std::string prompt(const std::vector<std::string>& tokens) const;
};

ConceptPhrasing break_a_scene_phrasing();
// Break-A-Scene's phrasing where the vocabulary knows its words, else the shapes-world one where it
// knows that, else Break-A-Scene's.
ConceptPhrasing concept_phrasing_for(const ClipTokenizer& tokenizer);

}  // namespace storyscope
