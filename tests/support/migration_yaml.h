// Migration files in their simplest form, for the operations many tests
// start: a test whose migration says more writes its file out in full.
#pragma once

#include <string>

namespace tandem::testing {

// add_column of a nullable `column` of `type` to `table`, which the
// backfill and the old version's writes compute with `up`.
inline std::string AddColumnMigration(const std::string& table, const std::string& column,
                                      const std::string& type, const std::string& up) {
  return "operations:\n  - add_column:\n      table: " + table + "\n      up: " + up +
         "\n      column: {name: " + column + ", type: " + type + ", nullable: true}\n";
}

// alter_column changing the type of `table`.`column` to `type`, with `up`
// from the old value to the new and `down` back.
inline std::string ChangeTypeMigration(const std::string& table, const std::string& column,
                                       const std::string& type, const std::string& up,
                                       const std::string& down) {
  return "operations:\n  - alter_column:\n      table: " + table + "\n      column: " + column +
         "\n      type: " + type + "\n      up: " + up + "\n      down: " + down + "\n";
}

}  // namespace tandem::testing
