// PostgreSQL's serial types, which the reader and both planners recognise.
#pragma once

#include <string>

#include "common/strings.h"

namespace tandem::plan {

// The integer type behind one of PostgreSQL's serial types ("bigserial" ->
// "bigint"), or "" for any other type. A serial column brings its own
// default (the next value of its sequence), so it needs no `up`.
inline std::string SerialIntegerType(const std::string& type) {
  std::string lower = ToLower(type);
  if (lower == "serial" || lower == "serial4") return "integer";
  if (lower == "bigserial" || lower == "serial8") return "bigint";
  if (lower == "smallserial" || lower == "serial2") return "smallint";
  return "";
}

}  // namespace tandem::plan
