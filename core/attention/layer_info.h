#pragma once
// What an attention processor knows about the layer and the step it is called for.
#include <cstdint>
#include <string>
#include <vector>

namespace storyscope {

enum class Place { Down, Mid, Up, Other };
const char* place_name(Place p);

struct LayerInfo {
  std::string name;  // diffusers module path, e.g. "down_blocks.1.attentions.0.transformer_blocks.0.attn2"
  Place place = Place::Other;
  int block_index = -1;  // index within down_blocks / up_blocks (0 for mid)
  bool is_cross = false;
  int heads = 1;
  std::int64_t height = 0, width = 0;  // spatial size of the query grid for this call
};

struct StepInfo {
  int index = -1;         // denoising step index, -1 outside a run
  double timestep = 0.0;  // scheduler timestep of this step
  // Batch rows that belong to the conditional half under classifier-free guidance (all rows
  // when CFG is off). Empty means "unknown": treat every row as conditional.
  std::vector<std::int64_t> cond_rows;
};

}  // namespace storyscope
