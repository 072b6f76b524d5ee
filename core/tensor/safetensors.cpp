#include "core/tensor/safetensors.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/utf8.h"

namespace storyscope {

using json = nlohmann::json;

std::int64_t TensorEntry::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// Owns the bytes: either a private (copy-on-write) memory map or an in-memory buffer.
struct SafetensorsFile::Storage {
  void* map = nullptr;
  std::size_t map_len = 0;
  std::vector<std::uint8_t> owned;
  ~Storage() {
    if (map) ::munmap(map, map_len);
  }
  const std::uint8_t* bytes() const { return map ? static_cast<const std::uint8_t*>(map) : owned.data(); }
  std::size_t size() const { return map ? map_len : owned.size(); }
};

SafetensorsFile::~SafetensorsFile() = default;

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_bad_input(path, "", std::string("cannot open the file: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw_bad_input(path, "", std::string("cannot stat the file: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw_bad_input(path, "", "not a regular file");
  }
  auto storage = std::make_shared<Storage>();
  if (st.st_size > 0) {
    // MAP_PRIVATE + PROT_WRITE: a tensor written in place gets private pages; the file never changes.
    void* p =
        ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw_bad_input(path, "", std::string("cannot map the file: ") + std::strerror(errno));
    }
    storage->map = p;
    storage->map_len = static_cast<std::size_t>(st.st_size);
  }
  ::close(fd);
  std::shared_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->storage_ = std::move(storage);
  f->path_ = path;
  f->parse();
  return f;
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::from_bytes(std::vector<std::uint8_t> bytes,
                                                                   const std::string& label) {
  auto storage = std::make_shared<Storage>();
  storage->owned = std::move(bytes);
  std::shared_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->storage_ = std::move(storage);
  f->path_ = label;
  f->parse();
  return f;
}

namespace {

// Rejects duplicate keys at any depth while parsing (nlohmann would keep the last silently).
class DuplicateKeyGuard {
 public:
  explicit DuplicateKeyGuard(const std::string& file) : file_(file) {}
  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keys_.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!keys_.empty()) keys_.pop_back();
        break;
      case json::parse_event_t::key: {
        const auto& k = parsed.get_ref<const std::string&>();
        if (!keys_.empty() && !keys_.back().insert(k).second)
          throw_bad_input(file_, "header key \"" + k + "\"", "duplicate key in the JSON header");
        break;
      }
      default:
        break;
    }
    return true;
  }

 private:
  std::string file_;
  std::vector<std::set<std::string>> keys_;
};

std::uint64_t read_u64_le(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

bool to_u64(const json& v, std::uint64_t& out) {
  if (!v.is_number_unsigned()) return false;
  out = v.get<std::uint64_t>();
  return true;
}

}  // namespace

void SafetensorsFile::parse() {
  const std::uint8_t* bytes = storage_->bytes();
  const std::uint64_t size = storage_->size();
  if (size == 0) throw_bad_input(path_, "header", "empty file: no 8-byte header length");
  if (size < 8) throw_bad_input(path_, "header", "file is shorter than the 8-byte header length");
  const std::uint64_t n = read_u64_le(bytes);
  if (n > kSafetensorsMaxHeaderBytes)
    throw_bad_input(path_, "header",
                    "header length " + std::to_string(n) +
                        " exceeds the limit of 100000000 bytes (is this a safetensors file?)");
  if (n + 8 > size)
    throw_bad_input(path_, "header",
                    "header length " + std::to_string(n) + " runs past the end of the file (" +
                        std::to_string(size) + " bytes)");
  const std::string_view header(reinterpret_cast<const char*>(bytes + 8), n);
  const auto bad = first_invalid_utf8(header);
  if (bad != std::string_view::npos)
    throw_bad_input(path_, "header byte " + std::to_string(bad), "header is not valid UTF-8");
  if (header.empty() || header.front() != '{')
    throw_bad_input(path_, "header", "header must start with '{' (a JSON object)");

  json doc;
  try {
    doc = json::parse(header.begin(), header.end(), DuplicateKeyGuard(path_));
  } catch (const json::exception& e) {
    throw_bad_input(path_, "header", std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) throw_bad_input(path_, "header", "header JSON is not an object");

  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    if (name == "__metadata__") {
      if (v.is_null()) continue;
      if (!v.is_object()) throw_bad_input(path_, "__metadata__", "must be an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          throw_bad_input(path_, "__metadata__." + m.key(), "metadata values must be strings");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor \"" + name + "\"";
    if (!v.is_object()) throw_bad_input(path_, where, "entry must be an object");
    if (!v.contains("dtype") || !v["dtype"].is_string())
      throw_bad_input(path_, where, "missing or non-string \"dtype\"");
    const auto dt = parse_st_dtype(v["dtype"].get<std::string>());
    if (!dt) throw_bad_input(path_, where, "unknown dtype \"" + v["dtype"].get<std::string>() + "\"");
    if (!v.contains("shape") || !v["shape"].is_array())
      throw_bad_input(path_, where, "missing or non-array \"shape\"");
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
      throw_bad_input(path_, where, "\"data_offsets\" must be an array of two integers");
    TensorEntry e;
    e.name = name;
    e.dtype = *dt;
    // Element count with overflow checks (the reference uses checked_mul). The running product is
    // kept within int64, not just uint64: LibTorch and numel() multiply the dimensions in int64,
    // and [2^62, 3, 0] (zero elements) overflowed there (UBSan, tests/fuzz/fuzz_safetensors).
    constexpr std::uint64_t kMaxCount = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t count = 1;
    for (const auto& d : v["shape"]) {
      std::uint64_t dim = 0;
      if (!to_u64(d, dim)) throw_bad_input(path_, where, "shape entries must be non-negative integers");
      if (dim > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw_bad_input(path_, where, "shape dimension too large");
      if (dim != 0 && count > kMaxCount / dim)
        throw_bad_input(path_, where, "element count overflows 64-bit signed integers");
      count *= dim;
      e.shape.push_back(static_cast<std::int64_t>(dim));
    }
    const std::uint64_t esize = st_dtype_size(*dt);
    if (count > std::numeric_limits<std::uint64_t>::max() / esize)
      throw_bad_input(path_, where, "byte size overflows 64 bits");
    if (!to_u64(v["data_offsets"][0], e.begin) || !to_u64(v["data_offsets"][1], e.end))
      throw_bad_input(path_, where, "\"data_offsets\" must be non-negative integers");
    if (e.end < e.begin) throw_bad_input(path_, where, "data_offsets end before they begin");
    if (e.end - e.begin != count * esize)
      throw_bad_input(path_, where,
                      "data_offsets span " + std::to_string(e.end - e.begin) + " bytes but " +
                          std::string(st_dtype_name(*dt)) + " " + std::to_string(count) + " elements need " +
                          std::to_string(count * esize));
    entries_.push_back(std::move(e));
  }

  std::sort(entries_.begin(), entries_.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  std::uint64_t expected = 0;
  for (const auto& e : entries_) {
    if (e.begin != expected)
      throw_bad_input(path_, "tensor \"" + e.name + "\"",
                      e.begin < expected
                          ? "data overlaps the previous tensor"
                          : "hole in the data before this tensor (offsets must be contiguous from 0)");
    expected = e.end;
  }
  const std::uint64_t data_size = size - 8 - n;
  if (expected != data_size)
    throw_bad_input(path_, "data",
                    "tensors cover " + std::to_string(expected) + " bytes but the file holds " +
                        std::to_string(data_size) + " bytes of data after the header");
  data_ = bytes + 8 + n;
  for (std::size_t i = 0; i < entries_.size(); ++i) index_[entries_[i].name] = i;
}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

std::vector<std::string> SafetensorsFile::unsupported_tensors() const {
  std::vector<std::string> out;
  for (const auto& e : entries_)
    if (!to_scalar_type(e.dtype)) out.push_back(e.name);
  return out;
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorEntry* e = find(name);
  if (!e) throw_bad_input(path_, "tensor \"" + name + "\"", "no such tensor in the file");
  const auto st = to_scalar_type(e->dtype);
  if (!st)
    throw_bad_input(
        path_, "tensor \"" + name + "\"",
        std::string("dtype ") + st_dtype_name(e->dtype) + " has no equivalent in this LibTorch build");
  const auto options = at::TensorOptions().dtype(*st).device(at::kCPU);
  if (e->numel() == 0) return at::empty(e->shape, options);
  auto* ptr = const_cast<std::uint8_t*>(data_ + e->begin);
  auto keep = storage_;
  at::Tensor view = at::from_blob(
      ptr, e->shape, [keep](void*) {}, options);
  // Vectorised kernels may assume element alignment; the standard writer guarantees it, others may not.
  if (reinterpret_cast<std::uintptr_t>(ptr) % st_dtype_size(e->dtype) != 0) return view.clone();
  return view;
}

namespace {
std::string build_header(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                         const std::map<std::string, std::string>& metadata,
                         std::vector<std::pair<std::string, at::Tensor>>& ordered) {
  std::set<std::string> seen;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__") throw_bad_input("", name, "reserved tensor name");
    if (!seen.insert(name).second) throw_bad_input("", "tensor \"" + name + "\"", "duplicate tensor name");
    if (!from_scalar_type(t.scalar_type()))
      throw_bad_input("", "tensor \"" + name + "\"", "dtype cannot be stored in safetensors");
    ordered.emplace_back(name, t.to(at::kCPU).contiguous());
  }
  // Like the reference writer: larger alignment first, then by name, so every tensor is aligned.
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    const auto sa = a.second.element_size(), sb = b.second.element_size();
    if (sa != sb) return sa > sb;
    return a.first < b.first;
  });
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, t] : ordered) {
    const std::uint64_t nbytes = static_cast<std::uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", st_dtype_name(*from_scalar_type(t.scalar_type()))},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string text = header.dump();
  while (text.size() % 8 != 0) text.push_back(' ');
  return text;
}

template <typename Append>
void emit(const std::string& header, const std::vector<std::pair<std::string, at::Tensor>>& ordered,
          Append&& append) {
  std::uint8_t len[8];
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(n >> (8 * i));
  append(len, 8);
  append(header.data(), header.size());
  for (const auto& [name, t] : ordered)
    append(t.data_ptr(), static_cast<std::size_t>(t.numel()) * t.element_size());
}
}  // namespace

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, at::Tensor>> ordered;
  std::string header;
  try {
    header = build_header(tensors, metadata, ordered);
  } catch (const Error& e) {
    throw_bad_input(path, e.location(), e.rule());
  }
  write_file_atomically(path, [&](const auto& append) { emit(header, ordered, append); });
}

std::vector<std::uint8_t> safetensors_bytes(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                                            const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, at::Tensor>> ordered;
  const std::string header = build_header(tensors, metadata, ordered);
  std::vector<std::uint8_t> out;
  emit(header, ordered, [&](const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  });
  return out;
}

std::map<std::string, at::Tensor> load_safetensors(const std::string& path) {
  auto file = SafetensorsFile::open(path);
  std::map<std::string, at::Tensor> out;
  for (const auto& e : file->entries())
    if (to_scalar_type(e.dtype)) out[e.name] = file->tensor(e.name).clone();
  return out;
}

}  // namespace storyscope
