#include "core/schedulers/factory.h"

#include <utility>

#include "core/common/error.h"
#include "core/schedulers/ddim.h"
#include "core/schedulers/ddpm.h"
#include "core/schedulers/dpm_solver_multistep.h"
#include "core/schedulers/euler_discrete.h"

namespace storyscope {

namespace {
const std::vector<std::pair<std::string, std::string>>& short_names() {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"ddim", "DDIMScheduler"},
      {"ddpm", "DDPMScheduler"},
      {"euler", "EulerDiscreteScheduler"},
      {"dpmpp-2m", "DPMSolverMultistepScheduler"},
  };
  return names;
}

std::string name_list() {
  std::string list;
  for (const auto& n : scheduler_names()) list += (list.empty() ? "" : ", ") + n;
  return list;
}
}  // namespace

std::vector<std::string> scheduler_names() {
  std::vector<std::string> names;
  for (const auto& [short_name, cls] : short_names()) names.push_back(short_name);
  for (const auto& cls : known_scheduler_classes()) names.push_back(cls);
  return names;
}

std::string scheduler_class_for(const std::string& name) {
  for (const auto& [short_name, cls] : short_names())
    if (name == short_name) return cls;
  for (const auto& cls : known_scheduler_classes())
    if (name == cls) return cls;
  // The name goes into the rule: callers re-throw the rule under their own flag or field.
  throw_bad_input("", "sampler", "unknown scheduler \"" + name + "\" (valid: " + name_list() + ")");
}

std::unique_ptr<Scheduler> make_scheduler(const SchedulerConfig& config, const std::string& override_name) {
  std::string cls;
  try {
    cls = scheduler_class_for(override_name.empty() ? config.class_name : override_name);
  } catch (const Error& e) {
    if (!override_name.empty()) throw;
    throw_bad_input(config.file, "key \"_class_name\"",
                    "\"" + config.class_name + "\" is not a supported scheduler; choose one of " +
                        name_list() + " (the other keys are kept)");
  }
  SchedulerConfig resolved = config.class_name == cls ? config : config.for_class(cls);
  if (cls == "DDIMScheduler") return std::make_unique<DDIMScheduler>(std::move(resolved));
  if (cls == "DDPMScheduler") return std::make_unique<DDPMScheduler>(std::move(resolved));
  if (cls == "EulerDiscreteScheduler") return std::make_unique<EulerDiscreteScheduler>(std::move(resolved));
  return std::make_unique<DPMSolverMultistepScheduler>(std::move(resolved));
}

}  // namespace storyscope
