#pragma once
// A training checkpoint folder replaced atomically: files are written into <out>/checkpoint.tmp,
// then swapped in for <out>/checkpoint. A crash between the two renames leaves checkpoint.old,
// which find_checkpoint_folder() falls back to, so some complete checkpoint always survives.
#include <functional>
#include <string>

namespace storyscope {

// Calls write(tmp_dir) with an empty folder, then swaps it in as <out_dir>/checkpoint.
void replace_checkpoint_folder(const std::string& out_dir,
                               const std::function<void(const std::string&)>& write);

// Rewrites a CSV training log (first column: step) with `header` and only the rows of steps
// <= `step`: after a resume, later rows belong to steps that will be redone. A torn last line
// from a killed run is dropped.
void keep_log_rows_up_to(const std::string& log_path, const std::string& header, long long step);

// <out_dir>/checkpoint if it holds `marker_file`, else <out_dir>/checkpoint.old if that does, else "".
std::string find_checkpoint_folder(const std::string& out_dir, const std::string& marker_file = "state.json");

}  // namespace storyscope
