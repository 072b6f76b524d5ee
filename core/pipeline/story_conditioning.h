#pragma once
// Text conditioning of one story frame: the consolidated prompt per text encoder, each
// encoder's embedding before and after SVR (SDXL: both penultimate states, reweighted
// separately, then concatenated; pooled embeds untouched), and the negative side.
// `before` is exactly what the UNet gets without SVR (SD 1.x/2.x: last_hidden_state; SDXL:
// each encoder's penultimate state), so `svr off` renders the plain consolidated prompt.
#include <ATen/Tensor.h>

#include <string>
#include <vector>

#include "core/pipeline/model_bundle.h"
#include "core/pipeline/prompt_encoding.h"
#include "core/story/prompt_windows.h"
#include "core/story/story_spec.h"

namespace storyscope {

struct EncoderConditioning {
  std::string encoder;        // "text_encoder" | "text_encoder_2"
  ConsolidatedPrompt prompt;  // ids, spans and eot positions for this encoder's tokenizer
  at::Tensor before;          // [1, 77, D] model dtype
  at::Tensor after;           // [1, 77, D] after SVR (== before for svr off)
};

struct FrameConditioning {
  int frame = 0;
  std::vector<EncoderConditioning> encoders;  // one or two
  // What the UNet gets: after-SVR embeddings (concatenated over encoders), the negative, the
  // pooled embeds (SDXL). identity_context is the same concatenation of the `before` states:
  // IPCA's E0.
  PromptEmbeddings embeddings;
  at::Tensor identity_context;  // [1, 77, D_total]
  // Positions of SOT and P0 in the consolidated prompt (the IPCA keep-list), from encoder 0
  // (SDXL's two tokenizers agree on word tokens; checked).
  std::vector<std::int64_t> identity_keep;
};

// `window_size` is the size the story runs with (fitting_window_size). The negative side is
// encode_prompt's when guidance > 1; an empty spec.negative counts as no negative (so SDXL's
// force_zeros_for_empty_prompt gives zeros, as in the reference). Errors (BadInput, file left
// empty for the caller to fill): a negative longer than one 77-token chunk ("negative"), a piece
// SDXL's two tokenizers split differently ("identity" / "frames[k]"), a window that does not fit.
FrameConditioning story_frame_conditioning(ModelBundle& bundle, const StorySpec& spec, int frame,
                                           int window_size);

// fitting_window_size over the bundle's tokenizers.
int story_window_size(const ModelBundle& bundle, const StorySpec& spec,
                      const std::string& source = "story.json");

}  // namespace storyscope
