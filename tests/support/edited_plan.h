// The stored-plan tests of both engines: a migration whose `up` is
// lower(email), and what a command must say once `lower(` was replaced by
// `upper(` in its stored plan.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/command.h"

namespace tandem::testing {

inline constexpr char kLowerEmailKey[] = R"y(operations:
  - add_column:
      table: users
      up: lower(email)
      column: {name: email_key, type: text, nullable: true}
)y";

inline void ExpectRefusedNamingTheEdit(const CommandResult& result) {
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("stored plan"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("stored \""), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("upper(NEW.\"email\")"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("lower(NEW.\"email\")"), std::string::npos) << result.err;
}

}  // namespace tandem::testing
