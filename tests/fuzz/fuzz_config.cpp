// Fuzz target: the diffusers/transformers config readers (unet, vae, text encoder, scheduler)
// on the same bytes, each through its from_file entry point, then the derived values a model
// builder reads right after loading. storyscope::Error is the expected outcome for bad input;
// any other exception, a crash or UB (e.g. a shift by a block count) is a finding.
#include <cstdint>

#include "core/common/error.h"
#include "core/config/clip_text_config.h"
#include "core/config/scheduler_config.h"
#include "core/config/unet_config.h"
#include "core/config/vae_config.h"
#include "core/schedulers/factory.h"
#include "fuzz_support.h"

namespace {

template <typename F>
void expect_bad_input_or_success(F&& read) {
  try {
    read();
  } catch (const storyscope::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace storyscope;
  static const fuzz::ScratchFile file("config.json");
  const std::string& path = file.write(data, size);

  expect_bad_input_or_success([&] {
    const UNetConfig c = UNetConfig::from_file(path);
    c.validate();
    (void)c.time_embed_dim();
    (void)c.num_levels();
  });
  expect_bad_input_or_success([&] {
    const VAEConfig c = VAEConfig::from_file(path);
    (void)c.activation();
    (void)c.downscale_factor();
  });
  expect_bad_input_or_success([&] {
    const ClipTextConfig c = ClipTextConfig::from_file(path);
    (void)c.activation();
    (void)c.head_dim();
    (void)c.has_projection();
  });
  expect_bad_input_or_success([&] {
    const SchedulerConfig c = SchedulerConfig::from_file(path);
    for (const auto& name : known_scheduler_classes())
      expect_bad_input_or_success([&] {
        // Building the scheduler computes its beta/sigma tables from the file's numbers.
        const auto scheduler = make_scheduler(c, name);
        scheduler->set_timesteps(4);
      });
  });
  return 0;
}
