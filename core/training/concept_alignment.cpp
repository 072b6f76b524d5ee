#include "core/training/concept_alignment.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/attention/attention_store.h"
#include "core/attention/composable_processor.h"
#include "core/common/error.h"
#include "core/models/unet/default_processors_guard.h"
#include "core/pipeline/inspect_image.h"
#include "core/training/concept_extractor.h"

namespace storyscope {

std::vector<AlignmentScores> concept_alignment(ModelBundle& bundle, const at::Tensor& image,
                                               const at::Tensor& masks,
                                               const std::vector<std::string>& tokens,
                                               const ConceptAlignmentOptions& options) {
  if (!masks.defined() || masks.dim() != 3 || masks.size(0) != static_cast<std::int64_t>(tokens.size()))
    throw_bad_input("concept alignment", "masks", "expected one [H, W] mask per token");
  const ClipTokenizer& tok = bundle.tokenizer();
  const std::string prompt = options.phrasing.value_or(concept_phrasing_for(tok)).prompt(tokens);
  const std::vector<std::int64_t> ids = tok.encode_padded(prompt, tok.model_max_length());
  const Encoding enc = tok.encode(prompt);

  AttentionStoreOptions so;
  so.set_prompt(ids, enc.tokens, tok.bos_id(), tok.eos_id());
  so.places = {Place::Down, Place::Up};
  so.resolutions = {options.resolution};
  const std::int64_t f = bundle.vae_scale_factor();
  so.latent_height = image.size(2) / f;
  so.latent_width = image.size(3) / f;
  auto store = std::make_shared<AttentionStore>(so);
  auto processor = std::make_shared<ComposableAttentionProcessor>();
  processor->add_observer(store);
  DefaultProcessorsGuard installed(bundle.unet(), processor);

  InspectRequest request;
  request.image = image;
  request.prompt = prompt;
  request.timesteps = options.timesteps;
  request.seed = options.seed;
  inspect_image(bundle, request);

  const at::Tensor maps = p2p_view(store->records(), {}, options.resolution);  // [recorded tokens, r, r]
  const auto& recorded = store->recorded_positions();
  std::vector<AlignmentScores> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Encoding one = tok.encode(tokens[i]);
    if (one.ids.size() != 3)
      throw_bad_input("concept alignment", "\"" + tokens[i] + "\"", "is not a single token of this model");
    const auto at_id = std::find(ids.begin(), ids.end(), one.ids[1]) - ids.begin();
    const auto index = std::find(recorded.begin(), recorded.end(), at_id) - recorded.begin();
    if (index >= static_cast<std::ptrdiff_t>(recorded.size()))
      throw_bad_input("concept alignment", "\"" + tokens[i] + "\"", "was not recorded (prompt too long?)");
    out.push_back(score_alignment(maps[index], masks[static_cast<std::int64_t>(i)], options.tau));
  }
  return out;
}

}  // namespace storyscope
