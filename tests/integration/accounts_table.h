// The `accounts` table of the resume, restart and contention tests: `rows`
// rows with a text name, and a migration adding an integer `score` that
// `up` computes from the row.
#pragma once

#include <string>

#include "integration/pg_fixture.h"

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

// A test whose database holds `accounts`, with the score migration started
// (its backfill not run) and some rows written through the new version.
class AccountsScoreTest : public PgTest {
 protected:
  // `rows` accounts; every `new_version_every`-th row gets score -1 through
  // the new version before the backfill: it must keep that value.
  void StartScoreMigration(int rows, int new_version_every) {
    Exec(AccountsTable(rows));
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("02_score.yaml", kAddScore)}).exit_code,
        0);
    Exec("SET search_path TO public_02_score; UPDATE accounts SET score = -1 WHERE id % " +
         std::to_string(new_version_every) + " = 0");
  }
};

}  // namespace tandem::testing
