#pragma once
// Writes that never leave a half-written file behind: a temporary next to the target,
// fsync, rename over the target, fsync of the directory. A crash leaves the old or the new
// file, never a mix.
#include <cstddef>
#include <functional>
#include <string>

namespace storyscope {

// `produce` is called with a function that appends bytes; throws Error on I/O failure.
void write_file_atomically(
    const std::string& path,
    const std::function<void(const std::function<void(const void*, std::size_t)>&)>& produce);
void write_file_atomically(const std::string& path, const std::string& contents);

// Reads a whole file; throws Error(BadInput) naming it when it cannot.
std::string read_file(const std::string& path);

}  // namespace storyscope
