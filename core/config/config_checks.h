#pragma once
// Range checks shared by the model config readers, so every config names a bad field the same way.
#include <cstdint>
#include <string>

#include "core/config/json_fields.h"

namespace storyscope {

// Fails with "<key>: must be positive, found <value>" (file named by `fields`).
inline void require_positive(const JsonFields& fields, const std::string& key, std::int64_t value) {
  if (value <= 0) fields.fail(key, "must be positive, found " + std::to_string(value));
}

}  // namespace storyscope
