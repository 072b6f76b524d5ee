#pragma once
// Helpers shared by the fuzz targets: a per-process scratch file for readers that only take a
// path, and a loud stop for broken invariants (libFuzzer and the replay test both report an
// abort as a finding, with the input that caused it).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace storyscope::fuzz {

// /dev/shm when present (no disk I/O per execution), else $TMPDIR or /tmp. The name carries the
// process id so parallel fuzzers (-jobs) and the replay tests never share a file.
inline std::string scratch_path(const std::string& name) {
  const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  return std::string(dir) + "/storyscope-fuzz-" + std::to_string(getpid()) + "-" + name;
}

// Replaces `path` with `size` bytes; a failure here is the harness's, so it stops the run.
inline void write_scratch(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
}

// A scratch file removed when the process exits normally (libFuzzer's -runs, the replay test).
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) : path_(scratch_path(name)) {}
  ~ScratchFile() { std::remove(path_.c_str()); }
  const std::string& write(const std::uint8_t* data, std::size_t size) const {
    write_scratch(path_, data, size);
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

[[noreturn]] inline void invariant_failed(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace storyscope::fuzz

#define FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::storyscope::fuzz::invariant_failed(#cond " (" __FILE__ ":" FUZZ_STR(__LINE__) ")"))
#define FUZZ_STR(x) FUZZ_STR2(x)
#define FUZZ_STR2(x) #x
