#pragma once
#include "core/config/json_fields.h"
// A diffusers scheduler_config.json, resolved for one scheduler class. diffusers'
// `X.from_config(other.config)` keeps the keys the file sets and gives every other key X's own
// default, so the raw document is kept and re-resolved whenever the class changes.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace storyscope {

struct SchedulerConfig {
  std::string class_name;  // the class the fields below are resolved for
  std::string file;        // where the document came from (named by errors)

  std::int64_t num_train_timesteps = 1000;
  double beta_start = 0.0001;
  double beta_end = 0.02;
  std::string beta_schedule = "linear";  // linear | scaled_linear | squaredcos_cap_v2 | sigmoid (DDPM)
  std::optional<std::vector<double>> trained_betas;
  std::string prediction_type = "epsilon";   // epsilon | v_prediction | sample
  std::string timestep_spacing = "leading";  // leading | linspace | trailing
  std::int64_t steps_offset = 0;
  bool set_alpha_to_one = true;
  bool clip_sample = true;
  double clip_sample_range = 1.0;
  bool thresholding = false;
  double dynamic_thresholding_ratio = 0.995;
  double sample_max_value = 1.0;
  bool rescale_betas_zero_snr = false;
  // DDPM ("fixed_small" ...); DPM-Solver (null, "learned", "learned_range").
  std::optional<std::string> variance_type;
  // Euler
  std::string interpolation_type = "linear";  // linear | log_linear
  bool use_karras_sigmas = false;
  std::optional<double> sigma_min, sigma_max;
  std::string timestep_type = "discrete";  // discrete | continuous
  // DPM-Solver multistep
  std::string algorithm_type = "dpmsolver++";
  std::int64_t solver_order = 2;
  std::string solver_type = "midpoint";
  bool lower_order_final = true;
  bool euler_at_final = false;
  bool use_lu_lambdas = false;
  std::string final_sigmas_type = "zero";  // zero | sigma_min
  double lambda_min_clipped = -std::numeric_limits<double>::infinity();

  // Parses a scheduler_config.json (diffusers writes -Infinity/NaN bare, which is accepted).
  static SchedulerConfig from_file(const std::string& path);
  // Resolves `doc` for `target_class` ("" = the document's own `_class_name`).
  static SchedulerConfig from_json(const nlohmann::json& doc, const std::string& file,
                                   const std::string& target_class = "");
  // The same document resolved for another class, as `Target.from_config(this.config)`.
  SchedulerConfig for_class(const std::string& target_class) const;
  // The keys the document set explicitly (after dropping `_use_default_values`).
  const nlohmann::json& explicit_keys() const { return doc_; }

 private:
  nlohmann::json doc_;
};

// The scheduler classes whose defaults are known (every class make_scheduler can build).
const std::vector<std::string>& known_scheduler_classes();

}  // namespace storyscope
