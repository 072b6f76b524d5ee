#pragma once
// The AUTOMATIC1111 "parameters" text that most Stable Diffusion tools read from a PNG:
//   <prompt, any number of lines>
//   Negative prompt: <negative prompt, any number of lines>     (only when non-empty)
//   Steps: 30, Sampler: Euler, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: tiny, <extra>
// Parsing follows A1111's own parse_generation_parameters, so text written by A1111 (or by
// tools imitating it) reads back the way A1111 would read it.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace storyscope {

struct GenerationParameters {
  std::string prompt, negative_prompt;
  int steps = 0;
  std::string sampler;
  double cfg_scale = 0.0;
  std::uint64_t seed = 0;
  int width = 0, height = 0;
  std::string model;
  // Every other "Key: value" of the last line (e.g. "Model hash", "Clip skip"), unquoted.
  std::map<std::string, std::string> extra;
};

// A1111's layout: the whole text strip()ped, values holding ',', ':' or a newline (and here
// also empty values and values starting with whitespace or '"', so they read back exactly)
// JSON-quoted as A1111's quote() does. Sampler and Model are left out when empty; extras
// follow Model in key order. CFG scale is written in its shortest exact form ("7", "7.5").
// Throws Error(BadInput) on invalid UTF-8, on an extra key that A1111's parser could not
// read back (it must match \w[\w \-/]+) or that names one of the fixed fields.
std::string format_a1111_parameters(const GenerationParameters& p);

// Never throws: like A1111, the last line is the parameter list only when it holds at least
// three "Key: value" items, otherwise it is part of the prompt. Each prompt line is
// whitespace-stripped (A1111 does so too). Known fields whose value does not parse (e.g.
// "Steps: many") are kept verbatim in `extra` and leave their field at its default.
GenerationParameters parse_a1111_parameters(std::string_view text);

// A1111's name for a diffusers scheduler class ("EulerDiscreteScheduler" -> "Euler"), so its
// "PNG info" reads our files naturally; unknown classes are returned unchanged.
std::string a1111_sampler_name(const std::string& scheduler_class);

}  // namespace storyscope
