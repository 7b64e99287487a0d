// Writes of the new version before the backfill, run by both engines'
// tests over the customers table of examples/02_customers_split_name.yaml,
// filled so that every row's `up` is known from its id: first_name
// 'Ann<id>', last_name 'Lee<id>', balance <id>.25, or 0 where the text
// balance is NULL (every seventh row). 200 rows.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "support/command.h"

namespace tandem::testing::split_name {

std::string MigrationPath();

// The customers table, filled as above, in each engine's SQL.
extern const char kPostgresCustomers[];
extern const char kSqliteCustomers[];

// How the scenario reaches one engine.
struct Engine {
  std::function<CommandResult(const std::vector<std::string>&)> tandem;
  std::function<Status(const std::string&)> new_version;  // runs SQL as the new version
  std::function<std::string(const std::string&)> scalar;  // as the old version
  std::string table;       // the customers table, as the new version names it
  std::string balance_99;  // SQL of the text `down` makes of the balance 99
};

// start --skip-backfill, then the new version updates and deletes rows the
// backfill has not reached. Each update leaves some new columns as they
// were (one writes back the NULL it read, as an ORM saving the whole row
// does): those get `up` of the row. The old version sees the writes at
// once; backfill, verify (which passes) and complete follow. At the end the
// written rows keep what the new version wrote and `up` of the rest, the
// deleted ones are gone, and every other row equals `up`.
void Run(const Engine& engine);

}  // namespace tandem::testing::split_name
