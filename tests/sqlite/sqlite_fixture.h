// Support for SQLite integration tests: each test gets a fresh database
// file in a temporary directory, and runs the real tandem binary on it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "support/command.h"
#include "support/database_test.h"
#include "support/users_migrations.h"

namespace tandem::testing {

class SqliteTest : public DatabaseTest {
 protected:
  void CreateDatabase() override;
  void TearDown() override;

  // Runs statements on the test's database (through tandem's own SQLite
  // connection, opened for this test).
  void Exec(const std::string& sql);
  std::string Scalar(const std::string& sql);
  // The schema as sqlite_schema stores it, tandem's state tables left out:
  // what start + rollback must leave exactly as it was.
  std::string Schema();
  // Every row of `table`, ordered by rowid, as text.
  std::string Rows(const std::string& table);
  // users (id INTEGER PRIMARY KEY, name TEXT) with `rows` rows, ids 1 to
  // `rows`, every third name NULL.
  void CreateUsers(int rows);
  CommandResult Tandem(const std::vector<std::string>& args) { return RunTandem(url_, args); }

  std::string path_;
  std::string url_;  // sqlite:path_
  std::unique_ptr<backend::Connection> conn_;
};

}  // namespace tandem::testing
