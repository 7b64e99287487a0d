// The `accounts` table of the resume, restart and contention tests: `rows`
// rows with a text name, and a migration adding an integer `score` that
// `up` computes from the row.
#pragma once

#include <string>

namespace tandem::testing {

inline std::string AccountsTable(int rows) {
  return "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);\n"
         "INSERT INTO accounts SELECT i, 'name-' || i FROM generate_series(1, " +
         std::to_string(rows) + ") i;";
}

inline constexpr char kAddScore[] = R"y(operations:
  - add_column:
      table: accounts
      up: length(name) * 100 + id % 97
      column:
        name: score
        type: integer
        nullable: true
)y";

}  // namespace tandem::testing
