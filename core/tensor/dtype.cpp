#include "core/tensor/dtype.h"

#include <torch/version.h>

#include <array>
#include <utility>

namespace storyscope {
namespace {
struct DTypeRow {
  StDType type;
  const char* name;
  std::size_t size;
};
constexpr std::array<DTypeRow, 16> kRows{{
    {StDType::BOOL, "BOOL", 1},
    {StDType::U8, "U8", 1},
    {StDType::I8, "I8", 1},
    {StDType::I16, "I16", 2},
    {StDType::U16, "U16", 2},
    {StDType::F16, "F16", 2},
    {StDType::BF16, "BF16", 2},
    {StDType::I32, "I32", 4},
    {StDType::U32, "U32", 4},
    {StDType::F32, "F32", 4},
    {StDType::F64, "F64", 8},
    {StDType::I64, "I64", 8},
    {StDType::U64, "U64", 8},
    {StDType::F8_E4M3, "F8_E4M3", 1},
    {StDType::F8_E5M2, "F8_E5M2", 1},
    {StDType::F8_E8M0, "F8_E8M0", 1},
}};
#define STORYSCOPE_TORCH_AT_LEAST(maj, min) \
  (TORCH_VERSION_MAJOR > (maj) || (TORCH_VERSION_MAJOR == (maj) && TORCH_VERSION_MINOR >= (min)))
}  // namespace

std::optional<StDType> parse_st_dtype(const std::string& name) {
  for (const auto& r : kRows)
    if (name == r.name) return r.type;
  return std::nullopt;
}

const char* st_dtype_name(StDType t) { return kRows[static_cast<std::size_t>(t)].name; }
std::size_t st_dtype_size(StDType t) { return kRows[static_cast<std::size_t>(t)].size; }

std::optional<c10::ScalarType> to_scalar_type(StDType t) {
  switch (t) {
    case StDType::BOOL:
      return c10::kBool;
    case StDType::U8:
      return c10::kByte;
    case StDType::I8:
      return c10::kChar;
    case StDType::I16:
      return c10::kShort;
    case StDType::F16:
      return c10::kHalf;
    case StDType::BF16:
      return c10::kBFloat16;
    case StDType::I32:
      return c10::kInt;
    case StDType::F32:
      return c10::kFloat;
    case StDType::F64:
      return c10::kDouble;
    case StDType::I64:
      return c10::kLong;
#if STORYSCOPE_TORCH_AT_LEAST(2, 3)
    case StDType::U16:
      return c10::kUInt16;
    case StDType::U32:
      return c10::kUInt32;
    case StDType::U64:
      return c10::kUInt64;
#endif
#if STORYSCOPE_TORCH_AT_LEAST(2, 1)
    case StDType::F8_E4M3:
      return c10::ScalarType::Float8_e4m3fn;
    case StDType::F8_E5M2:
      return c10::ScalarType::Float8_e5m2;
#endif
    default:
      return std::nullopt;
  }
}

std::optional<StDType> from_scalar_type(c10::ScalarType t) {
  for (const auto& r : kRows) {
    auto s = to_scalar_type(r.type);
    if (s && *s == t) return r.type;
  }
  return std::nullopt;
}

}  // namespace storyscope
