#include "app/cli/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace storyscope::cli {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(int done, int total, const std::string& prefix) {
  if (done == last_done_) return;
  if (done < last_done_) start_ = std::chrono::steady_clock::now();  // a new inner loop began
  last_done_ = done;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = done > 0 && elapsed > 0 ? done / elapsed : 0.0;
  const double eta = rate > 0 ? (total - done) / rate : NAN;
  constexpr int kWidth = 24;
  const int filled = total > 0 ? done * kWidth / total : 0;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "%s%s%s%s %d/%d [%s] %.2f it/s ETA %s%s", tty_ ? "\r\033[K" : "", prefix.c_str(),
               prefix.empty() ? "" : " ", label_.c_str(), done, total, bar.c_str(), rate,
               format_duration(eta).c_str(), tty_ ? "" : "\n");
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (tty_ && last_done_ >= 0) std::fprintf(stderr, "\n");
  last_done_ = -1;
}

}  // namespace storyscope::cli
