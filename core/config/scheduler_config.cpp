#include "core/config/scheduler_config.h"

#include <cmath>
#include <limits>
#include <set>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/utf8.h"
#include "core/config/json_fields.h"

namespace storyscope {

using json = nlohmann::json;

namespace {

std::optional<double> optional_number(const JsonFields& f, const std::string& key) {
  if (!f.has(key)) return std::nullopt;
  return f.get_double(key, 0.0);
}

std::string one_of(const JsonFields& f, const std::string& key, const std::string& fallback,
                   const std::set<std::string>& allowed) {
  const std::string v = f.get_string(key, fallback);
  if (!allowed.count(v)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    f.fail(key, "\"" + v + "\" is not supported (valid: " + list + ")");
  }
  return v;
}

struct ClassDefaults {
  std::string timestep_spacing = "leading";
  bool clip_sample = true;
  bool set_alpha_to_one = true;
  std::optional<std::string> variance_type;
};

ClassDefaults defaults_for(const std::string& cls) {
  ClassDefaults d;
  if (cls == "DDPMScheduler") d.variance_type = "fixed_small";
  if (cls == "EulerDiscreteScheduler" || cls == "DPMSolverMultistepScheduler")
    d.timestep_spacing = "linspace";
  if (cls == "PNDMScheduler") d.set_alpha_to_one = false;
  return d;
}

}  // namespace

const std::vector<std::string>& known_scheduler_classes() {
  static const std::vector<std::string> names = {"DDIMScheduler", "DDPMScheduler", "EulerDiscreteScheduler",
                                                 "DPMSolverMultistepScheduler"};
  return names;
}

SchedulerConfig SchedulerConfig::from_file(const std::string& path) {
  const std::string text = read_file(path);
  const auto bad = first_invalid_utf8(text);
  if (bad != std::string::npos) throw_bad_input(path, "byte " + std::to_string(bad), "not valid UTF-8");
  return from_json(parse_python_json(text, path), path);
}

namespace {
constexpr std::int64_t kMaxTrainTimesteps = 100'000;
}  // namespace

SchedulerConfig SchedulerConfig::from_json(const json& doc, const std::string& file,
                                           const std::string& target_class) {
  if (!doc.is_object())
    throw_bad_input(file, "", std::string("expected a JSON object, found ") + doc.type_name());
  // Keys diffusers filled with the saving class's defaults are not the user's choice: the
  // target class's own defaults replace them.
  json explicit_doc = doc;
  const JsonFields raw(doc, file);
  for (const std::string& key : raw.get_string_list("_use_default_values", {})) explicit_doc.erase(key);
  explicit_doc.erase("_use_default_values");

  const JsonFields f(explicit_doc, file);
  SchedulerConfig c;
  c.file = file;
  c.doc_ = explicit_doc;
  c.class_name = target_class.empty() ? f.get_string("_class_name", "") : target_class;
  const ClassDefaults d = defaults_for(c.class_name);

  c.num_train_timesteps = f.get_int("num_train_timesteps", 1000);
  // Every released model trains with 1000 steps; the bound keeps the schedulers' per-timestep
  // tables small (2e9 asked for 8 GB at once, found by tests/fuzz/fuzz_config).
  if (c.num_train_timesteps < 2 || c.num_train_timesteps > kMaxTrainTimesteps)
    f.fail("num_train_timesteps", "must be between 2 and " + std::to_string(kMaxTrainTimesteps));
  c.beta_start = f.get_double("beta_start", 0.0001);
  c.beta_end = f.get_double("beta_end", 0.02);
  c.beta_schedule =
      one_of(f, "beta_schedule", "linear", {"linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid"});
  if (f.has("trained_betas")) {
    c.trained_betas = f.get_double_list("trained_betas", {});
    if (static_cast<std::int64_t>(c.trained_betas->size()) != c.num_train_timesteps)
      f.fail("trained_betas", "has " + std::to_string(c.trained_betas->size()) +
                                  " values but num_train_timesteps is " +
                                  std::to_string(c.num_train_timesteps));
  }
  c.prediction_type =
      one_of(f, "prediction_type", "epsilon", {"epsilon", "v_prediction", "sample", "original_sample"});
  if (c.prediction_type == "original_sample") c.prediction_type = "sample";  // Euler's legacy spelling
  c.timestep_spacing = one_of(f, "timestep_spacing", d.timestep_spacing, {"leading", "linspace", "trailing"});
  c.steps_offset = f.get_int("steps_offset", 0);
  c.set_alpha_to_one = f.get_bool("set_alpha_to_one", d.set_alpha_to_one);
  c.clip_sample = f.get_bool("clip_sample", d.clip_sample);
  c.clip_sample_range = f.get_double("clip_sample_range", 1.0);
  c.thresholding = f.get_bool("thresholding", false);
  c.dynamic_thresholding_ratio = f.get_double("dynamic_thresholding_ratio", 0.995);
  c.sample_max_value = f.get_double("sample_max_value", 1.0);
  c.rescale_betas_zero_snr = f.get_bool("rescale_betas_zero_snr", false);
  c.variance_type = f.has("variance_type") ? std::optional<std::string>(f.get_string("variance_type", ""))
                                           : d.variance_type;

  c.interpolation_type = one_of(f, "interpolation_type", "linear", {"linear", "log_linear"});
  c.use_karras_sigmas = f.get_bool("use_karras_sigmas", false);
  c.sigma_min = optional_number(f, "sigma_min");
  c.sigma_max = optional_number(f, "sigma_max");
  c.timestep_type = one_of(f, "timestep_type", "discrete", {"discrete", "continuous"});

  c.algorithm_type = f.get_string("algorithm_type", "dpmsolver++");
  c.solver_order = f.get_int("solver_order", 2);
  c.solver_type = f.get_string("solver_type", "midpoint");
  c.lower_order_final = f.get_bool("lower_order_final", true);
  c.euler_at_final = f.get_bool("euler_at_final", false);
  c.use_lu_lambdas = f.get_bool("use_lu_lambdas", false);
  c.final_sigmas_type = one_of(f, "final_sigmas_type", "zero", {"zero", "sigma_min"});
  c.lambda_min_clipped = f.get_double("lambda_min_clipped", -std::numeric_limits<double>::infinity());
  return c;
}

SchedulerConfig SchedulerConfig::for_class(const std::string& target_class) const {
  // The explicit keys are what `from_config` sees; `_class_name` still names the original
  // class, as in diffusers.
  return from_json(doc_, file, target_class);
}

}  // namespace storyscope
