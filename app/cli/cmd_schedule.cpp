// storyscope-cli schedule --config scheduler_config.json [--sampler NAME] --steps N: the
// timesteps (and sigmas) a sampler will use, as one JSON object, to compare with diffusers'
// `Sampler.from_config(config).set_timesteps(N)` by hand.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/config/scheduler_config.h"
#include "core/schedulers/factory.h"
#include "core/schedulers/schedule_math.h"

int cmd_schedule(int argc, char** argv) {
  using namespace storyscope;
  const cli::Args args(argc, argv, {"config", "sampler", "steps"}, {});
  const SchedulerConfig config = SchedulerConfig::from_file(args.require("config"));
  const std::unique_ptr<Scheduler> scheduler = make_scheduler(config, args.get("sampler").value_or(""));
  args.require("steps");
  scheduler->set_timesteps(args.get_int("steps", 0));

  nlohmann::ordered_json out;  // keys in the documented order
  out["sampler"] = scheduler->name();
  // Integer schedules print as integers, as diffusers' int64 timesteps do.
  if (scheduler->timesteps().is_floating_point()) {
    out["timesteps"] = scheduler->timestep_values();
  } else {
    std::vector<std::int64_t> ints;
    for (double t : scheduler->timestep_values()) ints.push_back(static_cast<std::int64_t>(t));
    out["timesteps"] = ints;
  }
  if (scheduler->sigmas().defined()) out["sigmas"] = schedule::to_vector(scheduler->sigmas());
  out["alphas_cumprod"] = schedule::to_vector(scheduler->alphas_cumprod());
  out["init_noise_sigma"] = scheduler->init_noise_sigma();
  std::cout << out.dump() << "\n";
  std::cout.flush();
  return 0;
}

STORYSCOPE_CLI_COMMAND("schedule", cmd_schedule, "print the timesteps/sigmas a sampler will use");
