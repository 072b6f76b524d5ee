#pragma once
// A one-line progress bar on stderr ("step 12/30 [#####.....] 2.4 it/s ETA 0:07"), redrawn
// in place on a terminal and printed once per update otherwise (logs stay readable).
#include <chrono>
#include <string>

namespace storyscope::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  // `done` of `total` units finished; `prefix` names the outer loop (e.g. "image 2/4").
  void update(int done, int total, const std::string& prefix = "");
  void finish();

 private:
  std::string label_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  int last_done_ = -1;
};

std::string format_duration(double seconds);

}  // namespace storyscope::cli
