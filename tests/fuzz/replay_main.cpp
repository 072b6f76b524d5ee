// Runs a fuzz target's LLVMFuzzerTestOneInput over every file of the directories named on the
// command line (the corpus and the kept findings), the way libFuzzer runs one input, so that
// the normal gcc build checks in seconds that no known input escapes again. A storyscope::Error
// is handled inside the target; anything that reaches this driver is a failure.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// A buffer of exactly the file's size (no slack), so an overread is visible to ASan.
bool run_one(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::unique_ptr<std::uint8_t[]> data(new std::uint8_t[std::max<std::size_t>(bytes.size(), 1)]);
  std::copy(bytes.begin(), bytes.end(), data.get());
  try {
    const auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(data.get(), bytes.size());
    // libFuzzer's -timeout, so a fixed hang stays fixed; generous, since inputs take milliseconds.
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const char* limit_env = std::getenv("FUZZ_REPLAY_TIMEOUT_S");
    const double limit = limit_env ? std::atof(limit_env) : 10.0;
    if (seconds <= limit) return true;
    std::fprintf(stderr, "FAIL %s: took %.1f s (limit %.1f s, FUZZ_REPLAY_TIMEOUT_S)\n", file.c_str(),
                 seconds, limit);
    return false;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL %s: escaped exception: %s\n", file.c_str(), e.what());
  } catch (...) {
    std::fprintf(stderr, "FAIL %s: escaped a non-std exception\n", file.c_str());
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MORE_DIRS...]\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  // The first directory is the corpus and must not be empty: a replay of nothing proves nothing.
  const auto corpus = files_under(argv[1]);
  if (corpus.empty()) {
    std::fprintf(stderr, "FAIL: corpus %s has no files\n", argv[1]);
    return 1;
  }
  int runs = 0, failures = 0;
  for (int i = 1; i < argc; ++i)
    for (const auto& f : files_under(argv[i])) {
      ++runs;
      if (!run_one(f)) ++failures;
    }
  std::printf("%d inputs, %d failures\n", runs, failures);
  return failures == 0 ? 0 : 1;
}
