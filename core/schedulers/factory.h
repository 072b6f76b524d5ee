#pragma once
// Builds a scheduler from a scheduler_config.json, optionally as another class: the override
// keeps the file's explicit keys and takes that class's defaults for the rest, exactly like
// diffusers' `Other.from_config(scheduler.config)`.
#include <memory>
#include <string>
#include <vector>

#include "core/config/scheduler_config.h"
#include "core/schedulers/scheduler.h"

namespace storyscope {

// `override_name`: a diffusers class name (DDIMScheduler, DDPMScheduler, EulerDiscreteScheduler,
// DPMSolverMultistepScheduler) or a short name (ddim, ddpm, euler, dpmpp-2m); empty = the
// config's own class. An unknown name is an Error listing the valid ones.
std::unique_ptr<Scheduler> make_scheduler(const SchedulerConfig& config,
                                          const std::string& override_name = "");

// The class a short or class name stands for; throws like make_scheduler for unknown names.
std::string scheduler_class_for(const std::string& name);

// Every accepted name, short names first.
std::vector<std::string> scheduler_names();

}  // namespace storyscope
