#pragma once
// Process and machine memory, read from /proc: for benchmarks, soak tests and refusing runs
// that would not fit instead of being killed by the OOM killer.
#include <cstdint>

namespace storyscope {

std::int64_t current_rss_bytes();
std::int64_t peak_rss_bytes();          // VmHWM
bool reset_peak_rss();                  // so a benchmark can measure one phase's peak
std::int64_t available_memory_bytes();  // MemAvailable; -1 when unknown

}  // namespace storyscope
