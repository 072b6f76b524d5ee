#pragma once
// --ip-adapter FILE --image-encoder DIR --ip-image IMG.png [--ip-scale S]
// [--feature-extractor DIR], shared by generate, story and attend: an image prompt through
// IP-Adapter. The image preprocessing comes from --feature-extractor, else the model folder's
// feature_extractor/, else the image encoder folder's preprocessor_config.json, else
// transformers' CLIPImageProcessor defaults sized to the encoder's image_size.
#include <optional>
#include <set>
#include <string>

#include "app/cli/args.h"
#include "core/pipeline/ip_adapter_run.h"
#include "core/pipeline/model_bundle.h"

namespace storyscope::cli {

// The value flags above, to add to a command's list.
const std::set<std::string>& ip_adapter_flags();
std::set<std::string> with_ip_adapter_flags(std::set<std::string> flags);

// None without --ip-adapter. Otherwise all of --image-encoder and --ip-image are required;
// the adapter must fit the bundle's UNet. Errors name the flag.
std::optional<IPAdapterInput> ip_adapter_from_args(const Args& args, ModelBundle& bundle);

}  // namespace storyscope::cli
