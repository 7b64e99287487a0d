#include "core/testing/sqlite_runner_fixture.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "reader/reader.h"

namespace tandem::core::testing {

void SqliteRunnerTest::CreateDatabase() {
  std::string pattern = ::testing::TempDir() + "tandem_core_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "cannot create a directory from " << pattern;
  dir_ = pattern;
  path_ = dir_ + "/app.db";
  // An empty file is an empty SQLite database; tandem itself never creates
  // the file it is pointed at.
  std::ofstream{path_};
  auto database = backend::OpenDatabase(Url());
  ASSERT_TRUE(database.ok()) << database.status().message();
  database_ = std::move(*database);
  auto conn = database_->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  conn_ = std::move(*conn);
  state_ = std::make_unique<StateStore>(*conn_, "tandem", backend::Engine::kSqlite);
}

void SqliteRunnerTest::TearDown() {
  state_.reset();
  conn_.reset();
  database_.reset();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

void SqliteRunnerTest::Exec(const std::string& sql) {
  Status status = conn_->Execute(sql);
  ASSERT_TRUE(status.ok()) << status.message() << "\nin: " << sql;
}

std::string SqliteRunnerTest::Scalar(const std::string& sql) {
  auto result = conn_->Query(sql);
  EXPECT_TRUE(result.ok()) << result.status().message() << "\nin: " << sql;
  if (!result.ok()) return "";
  return result->Scalar().value_or("NULL");
}

void SqliteRunnerTest::CreateUsers(int rows) {
  Exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT NOT NULL);"
      "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < " +
      std::to_string(rows) +
      ") INSERT INTO users SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'user' || i END, "
      "'User' || i || '@Example.com' FROM g");
}

plan::Migration SqliteRunnerTest::WriteMigration(const std::string& file_name,
                                                 const std::string& content) {
  std::string path = dir_ + "/" + file_name;
  std::ofstream(path) << content;
  auto migration = reader::ReadMigrationFile(path);
  EXPECT_TRUE(migration.ok()) << migration.status().message();
  return migration.ok() ? *migration : plan::Migration{};
}

std::unique_ptr<RunnerUnderTest> SqliteRunnerTest::NewRunner(RunnerOptions options) {
  auto process = std::make_unique<RunnerUnderTest>();
  auto database = backend::OpenDatabase(Url());
  EXPECT_TRUE(database.ok()) << database.status().message();
  if (!database.ok()) return nullptr;
  process->database = std::move(*database);
  process->runner =
      std::make_unique<Runner>(*process->database, std::move(options), process->reporter);
  return process;
}

MigrationRecord SqliteRunnerTest::Record(const std::string& name) {
  auto history = state_->History("main");
  EXPECT_TRUE(history.ok()) << history.status().message();
  std::optional<MigrationRecord> newest;
  if (history.ok()) {
    for (const auto& record : *history) {
      if (record.name == name) newest = record;
    }
  }
  if (!newest) ADD_FAILURE() << "no migration named \"" << name << "\" is recorded";
  return newest.value_or(MigrationRecord{});
}

}  // namespace tandem::core::testing
