// Shorthands for the reader's tests: parse a text that must be accepted or
// refused, and take the body of its single operation.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "reader/reader.h"

namespace tandem::reader {

inline plan::Migration MustParse(const std::string& text, const std::string& file = "m.yaml") {
  Result<plan::Migration> parsed = ParseMigration(text, file);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed.value() : plan::Migration{};
}

// The single operation of `text`, as body type T.
template <typename T>
T OnlyBody(const std::string& text, const std::string& file = "m.yaml") {
  plan::Migration m = MustParse(text, file);
  if (m.operations.size() != 1) {
    ADD_FAILURE() << "expected one operation, got " << m.operations.size();
    return T{};
  }
  const T* body = std::get_if<T>(&m.operations[0].body);
  if (body == nullptr) {
    ADD_FAILURE() << "wrong body type for " << m.operations[0].kind;
    return T{};
  }
  return *body;
}

// The message of the invalid-input error `text` must be refused with.
inline std::string ErrorOf(const std::string& text, const std::string& file = "m.yaml") {
  Result<plan::Migration> parsed = ParseMigration(text, file);
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kInvalidInput);
  return parsed.status().message();
}

}  // namespace tandem::reader
