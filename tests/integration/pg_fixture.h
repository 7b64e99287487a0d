// Support for integration tests against the real PostgreSQL that the test
// harness (scripts/pg-harness.sh, CTest fixture "pg") started.
//
// Each test gets its own freshly created database, dropped afterwards, so
// tests are independent and can run in parallel.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "support/command.h"
#include "support/database_test.h"

namespace tandem::testing {

// The harness server's connection string (TANDEM_TEST_PG_DIR/url).
std::string ServerUrl();

// pg_dump --schema-only of the database, tandem's state schema excluded.
std::string SchemaDump(const std::string& url);

class PgTest : public DatabaseTest {
 protected:
  void CreateDatabase() override;
  void TearDown() override;

  // Runs SQL (one or more statements) on a fresh connection; fails the test on error.
  void Exec(const std::string& sql);
  // First column of the first row of `sql`, "NULL" for NULL.
  std::string Scalar(const std::string& sql);
  // The same, with search_path set to `schema` first (as an application of
  // that version would).
  std::string ScalarIn(const std::string& schema, const std::string& sql);
  std::unique_ptr<backend::Connection> Connect();
  // Waits up to 10 s for a tandem runner to hold its runner lock on this
  // test's database; false when none did.
  bool WaitForRunnerLock();
  CommandResult Tandem(const std::vector<std::string>& args) { return RunTandem(url_, args); }

  std::string db_name_;
  std::string url_;  // of this test's database

 private:
  std::unique_ptr<backend::Database> database_;
};

}  // namespace tandem::testing
