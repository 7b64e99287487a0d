#include "sqlite/sqlite_fixture.h"

#include <filesystem>

#include "backends/sqlite/sqlite_connection.h"
#include "common/strings.h"

namespace tandem::testing {

void SqliteTest::CreateDatabase() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  name = ReplaceAll(name, "/", "_");
  path_ = TempDir() + "/" + name + ".db";
  std::filesystem::remove(path_);
  url_ = "sqlite:" + path_;
  backend::sqlite::OpenOptions options;
  options.create = true;
  auto conn = backend::sqlite::SqliteConnection::Open(path_, options);
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  conn_ = std::move(*conn);
}

void SqliteTest::TearDown() {
  conn_.reset();
  for (const char* suffix : {"", "-wal", "-shm", "-tandem.lock"}) {
    std::filesystem::remove(path_ + suffix);
  }
}

void SqliteTest::Exec(const std::string& sql) {
  Status status = conn_->Execute(sql);
  ASSERT_TRUE(status.ok()) << status.message() << "\n" << sql;
}

std::string SqliteTest::Scalar(const std::string& sql) {
  auto result = conn_->Query(sql);
  EXPECT_TRUE(result.ok()) << result.status().message() << "\n" << sql;
  if (!result.ok()) return "";
  return result->Scalar().value_or("NULL");
}

std::string SqliteTest::Schema() {
  auto rows = conn_->Query(
      "SELECT type || ' ' || name || ' ' || tbl_name || ': ' || coalesce(sql, '') FROM "
      "sqlite_schema WHERE name NOT LIKE 'tandem\\_%' ESCAPE '\\' ORDER BY type, name");
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  std::string text;
  if (!rows.ok()) return text;
  for (const auto& r : rows->rows) text += r[0].value_or("") + "\n";
  return text;
}

std::string SqliteTest::Rows(const std::string& table) {
  auto rows = conn_->Query("SELECT * FROM " + QuoteIdent(table) + " ORDER BY rowid");
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  std::string text;
  if (!rows.ok()) return text;
  for (const auto& r : rows->rows) {
    for (const auto& v : r) text += v.value_or("NULL") + "|";
    text += "\n";
  }
  return text;
}

void SqliteTest::CreateUsers(int rows) {
  Exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); WITH RECURSIVE g(i) AS (SELECT 1 "
      "UNION ALL SELECT i + 1 FROM g WHERE i < " +
      std::to_string(rows) +
      ") INSERT INTO users (name) SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'user ' || i END "
      "FROM g");
}

}  // namespace tandem::testing
