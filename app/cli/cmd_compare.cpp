// storyscope-cli compare A.safetensors B.safetensors [--pair a=b ...] [--tolerance T]:
// max abs / relative differences of same-named (or paired) tensors, as JSON. Exit 1 when a
// difference exceeds the tolerance, so scripts can check parity with other tools.
#include <ATen/ATen.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/common/error.h"
#include "core/tensor/safetensors.h"
#include "core/tensor/state_dict.h"

using namespace storyscope;
using json = nlohmann::json;

namespace {

int cmd_compare(int argc, char** argv) {
  cli::Args args(argc, argv, {"pair", "tolerance"}, {});
  if (args.positional().size() != 2) throw_bad_input("", "compare", "expected two safetensors files");
  const std::string path_a = args.positional()[0], path_b = args.positional()[1];
  auto a = SafetensorsFile::open(path_a);
  auto b = SafetensorsFile::open(path_b);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& p : args.get_all("pair")) {
    const auto eq = p.find('=');
    if (eq == std::string::npos)
      throw_bad_input("", "--pair", "expected NAME_IN_A=NAME_IN_B, got \"" + p + "\"");
    pairs.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  if (pairs.empty())
    for (const auto& e : a->entries())
      if (b->contains(e.name)) pairs.emplace_back(e.name, e.name);
  if (pairs.empty())
    throw_bad_input(path_b, "", "no tensor names in common with " + path_a + " (use --pair)");
  const double tol = args.get_double("tolerance", -1.0);
  bool within = true;
  json out = json::array();
  for (const auto& [na, nb] : pairs) {
    const at::Tensor ta = a->tensor(na).to(at::kDouble), tb = b->tensor(nb).to(at::kDouble);
    if (ta.sizes() != tb.sizes())
      throw_bad_input(path_b, "tensor \"" + nb + "\"",
                      "shape " + shape_to_string(tb.sizes().vec()) + " differs from " +
                          shape_to_string(ta.sizes().vec()));
    const double max_abs = ta.numel() ? (ta - tb).abs().max().item<double>() : 0.0;
    const double std_b = tb.numel() > 1 ? tb.std().item<double>() : 0.0;
    const bool ok = tol < 0 || max_abs <= tol;
    within = within && ok;
    out.push_back({{"a", na},
                   {"b", nb},
                   {"max_abs", max_abs},
                   {"max_abs_over_std", std_b > 0 ? max_abs / std_b : 0.0},
                   {"within_tolerance", ok}});
  }
  std::cout << out.dump(2) << "\n";
  return within ? 0 : 1;
}

}  // namespace

STORYSCOPE_CLI_COMMAND("compare", cmd_compare,
                       "max abs differences between tensors of two safetensors files");
