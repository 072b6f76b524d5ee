#pragma once
// The element types of the safetensors format and their LibTorch equivalents (where the
// LibTorch in use has one: 1.13 lacks the unsigned 16/32/64-bit and float8 kinds).
#include <c10/core/ScalarType.h>

#include <cstddef>
#include <optional>
#include <string>

namespace storyscope {

enum class StDType {
  BOOL,
  U8,
  I8,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  F64,
  I64,
  U64,
  F8_E4M3,
  F8_E5M2,
  F8_E8M0,
};

std::optional<StDType> parse_st_dtype(const std::string& name);
const char* st_dtype_name(StDType t);
std::size_t st_dtype_size(StDType t);
// The LibTorch scalar type for this dtype, or nullopt when this LibTorch build has none.
std::optional<c10::ScalarType> to_scalar_type(StDType t);
std::optional<StDType> from_scalar_type(c10::ScalarType t);

}  // namespace storyscope
