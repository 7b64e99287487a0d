// Runner and StateStore tests in process, on a real SQLite database file:
// each test gets a file of its own in a fresh temporary directory, a
// `users` table, migration files written beside it and Runners built on it
// the way the CLI builds one.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "backends/backend.h"
#include "core/runner.h"
#include "core/state_store.h"
#include "core/testing/recording_reporter.h"
#include "plan/migration.h"
#include "support/database_test.h"
#include "support/users_migrations.h"

namespace tandem::core::testing {

// Migrations of the `users` table CreateUsers() makes.
using ::tandem::testing::kUsersAddNickname;
using ::tandem::testing::kUsersNameNotNull;

// One tandem process: a Database of its own (so a runner lock of its own),
// a recording reporter and the Runner on them.
struct RunnerUnderTest {
  std::unique_ptr<backend::Database> database;
  RecordingReporter reporter;
  std::unique_ptr<Runner> runner;  // last: it refers to the two above

  Runner* operator->() { return runner.get(); }
};

class SqliteRunnerTest : public ::tandem::testing::DatabaseTest {
 protected:
  void CreateDatabase() override;
  void TearDown() override;

  // Runs statements on the test's file through a connection of the test.
  void Exec(const std::string& sql);
  // The first value of the first row, "NULL" for none.
  std::string Scalar(const std::string& sql);
  // users (id INTEGER PRIMARY KEY, name TEXT, email TEXT NOT NULL) with
  // ids 1 to `rows`, every third name NULL, email 'User<id>@Example.com'.
  void CreateUsers(int rows);
  // Writes `content` to `file_name` in the test's directory and reads it
  // back as the CLI reads a migration file.
  plan::Migration WriteMigration(const std::string& file_name, const std::string& content);
  // A runner on the test's file, as a new tandem process would make it.
  std::unique_ptr<RunnerUnderTest> NewRunner(RunnerOptions options = {});
  // tandem's records in the test's file, read on the test's own connection.
  StateStore& State() { return *state_; }
  // The newest record of the migration named `name` (a failure when there
  // is none).
  MigrationRecord Record(const std::string& name);

  // The test's file as tandem's --url names it.
  std::string Url() const { return "sqlite:" + path_; }

  std::string dir_;
  std::string path_;
  std::unique_ptr<backend::Database> database_;  // conn_'s
  std::unique_ptr<backend::Connection> conn_;
  std::unique_ptr<StateStore> state_;
};

}  // namespace tandem::core::testing
