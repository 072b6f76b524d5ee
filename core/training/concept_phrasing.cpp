#include "core/training/concept_phrasing.h"

namespace storyscope {

namespace {

// Every whitespace-separated word of `text` is one token of the vocabulary (not split into pieces).
bool knows_words(const ClipTokenizer& tokenizer, const std::string& text) {
  const Encoding e = tokenizer.encode(text);
  return e.ids.size() == e.words.size() + 2;
}

}  // namespace

std::string ConceptPhrasing::prompt(const std::vector<std::string>& tokens) const {
  std::string out = prefix;
  for (std::size_t i = 0; i < tokens.size(); ++i) out += (i ? joiner : "") + tokens[i];
  return out;
}

ConceptPhrasing break_a_scene_phrasing() { return {}; }

ConceptPhrasing concept_phrasing_for(const ClipTokenizer& tokenizer) {
  const ConceptPhrasing bas = break_a_scene_phrasing();
  if (knows_words(tokenizer, bas.prefix + bas.joiner)) return bas;
  const ConceptPhrasing shapes{"a ", " next to a "};
  if (knows_words(tokenizer, shapes.prefix + shapes.joiner)) return shapes;
  return bas;
}

}  // namespace storyscope
