#include "core/common/memory.h"

#include <fstream>
#include <string>

namespace storyscope {
namespace {
// Reads "<key>: <value> kB" from a /proc file.
std::int64_t read_kib(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':')
      return std::stoll(line.substr(key.size() + 1)) * 1024;
  }
  return -1;
}
}  // namespace

std::int64_t current_rss_bytes() { return read_kib("/proc/self/status", "VmRSS"); }
std::int64_t peak_rss_bytes() { return read_kib("/proc/self/status", "VmHWM"); }
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";  // Linux: resets VmHWM to the current RSS
  return static_cast<bool>(out);
}
std::int64_t available_memory_bytes() { return read_kib("/proc/meminfo", "MemAvailable"); }

}  // namespace storyscope
