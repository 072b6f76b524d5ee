#include "core/training/checkpoint_folder.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/common/atomic_file.h"

namespace fs = std::filesystem;

namespace storyscope {

void replace_checkpoint_folder(const std::string& out_dir,
                               const std::function<void(const std::string&)>& write) {
  const fs::path out = out_dir;
  const fs::path final_dir = out / "checkpoint", tmp = out / "checkpoint.tmp", old = out / "checkpoint.old";
  fs::create_directories(out);
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  write(tmp.string());
  fs::remove_all(old);
  if (fs::exists(final_dir)) fs::rename(final_dir, old);
  fs::rename(tmp, final_dir);
  fs::remove_all(old);
}

void keep_log_rows_up_to(const std::string& log_path, const std::string& header, long long step) {
  std::ifstream in(log_path);
  std::string kept = header + "\n", line;
  std::getline(in, line);  // the old header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      if (std::stoll(line.substr(0, line.find(','))) <= step) kept += line + "\n";
    } catch (const std::exception&) {
      // not a step number: a torn line
    }
  }
  write_file_atomically(log_path, kept);
}

std::string find_checkpoint_folder(const std::string& out_dir, const std::string& marker_file) {
  for (const char* name : {"checkpoint", "checkpoint.old"}) {
    const fs::path dir = fs::path(out_dir) / name;
    if (fs::exists(dir / marker_file)) return dir.string();
  }
  return {};
}

}  // namespace storyscope
