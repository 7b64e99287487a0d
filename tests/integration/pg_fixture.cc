#include "integration/pg_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/strings.h"

namespace tandem::testing {
namespace {

std::string WithDatabase(const std::string& url, const std::string& db) {
  return url + " dbname=" + db;
}

}  // namespace

std::string ServerUrl() {
  const char* dir = std::getenv("TANDEM_TEST_PG_DIR");
  if (dir == nullptr) return "";
  return Trim(ReadFile(std::string(dir) + "/url"));
}

std::string SchemaDump(const std::string& url) {
  int code = 0;
  std::string dump = Capture(
      "pg_dump --schema-only --no-owner --exclude-schema=tandem -d " + ShellQuote(url) + " 2>&1",
      code);
  EXPECT_EQ(code, 0) << dump;
  // pg_dump writes a random key into \restrict and \unrestrict lines; they
  // say nothing about the schema.
  std::string stable;
  for (const auto& line : Split(dump, '\n')) {
    if (StartsWith(line, "\\restrict") || StartsWith(line, "\\unrestrict")) continue;
    stable += line + "\n";
  }
  return stable;
}

void PgTest::CreateDatabase() {
  std::string server = ServerUrl();
  ASSERT_FALSE(server.empty())
      << "TANDEM_TEST_PG_DIR is not set: run integration tests through ctest, which starts "
         "the PostgreSQL test server (fixture \"pg\")";
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  db_name_ = ToLower(std::string("t_") + info->test_suite_name() + "_" + info->name());
  for (char& c : db_name_) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  if (db_name_.size() > 50) db_name_.resize(50);
  db_name_ += "_" + std::to_string(getpid());
  auto admin_db = backend::OpenDatabase(server);
  ASSERT_TRUE(admin_db.ok()) << admin_db.status().message();
  auto admin = (*admin_db)->Connect();
  ASSERT_TRUE(admin.ok()) << admin.status().message();
  ASSERT_TRUE((*admin)->Execute("DROP DATABASE IF EXISTS " + QuoteIdent(db_name_)).ok());
  Status created = (*admin)->Execute("CREATE DATABASE " + QuoteIdent(db_name_));
  ASSERT_TRUE(created.ok()) << created.message();
  url_ = WithDatabase(server, db_name_);
  auto database = backend::OpenDatabase(url_);
  ASSERT_TRUE(database.ok());
  database_ = std::move(*database);
}

void PgTest::TearDown() {
  auto admin_db = backend::OpenDatabase(ServerUrl());
  if (!admin_db.ok()) return;
  auto admin = (*admin_db)->Connect();
  if (!admin.ok()) return;
  (void)(*admin)->Execute("DROP DATABASE IF EXISTS " + QuoteIdent(db_name_) + " WITH (FORCE)");
}

std::unique_ptr<backend::Connection> PgTest::Connect() {
  auto conn = database_->Connect();
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  return conn.ok() ? std::move(*conn) : nullptr;
}

void PgTest::Exec(const std::string& sql) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  Status status = conn->Execute(sql);
  ASSERT_TRUE(status.ok()) << status.message() << "\nin: " << sql;
}

std::string PgTest::Scalar(const std::string& sql) { return ScalarIn("", sql); }

bool PgTest::WaitForRunnerLock() {
  for (int i = 0; i < 100; ++i) {
    if (Scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
               "classid = 1952542308 AND database = (SELECT oid FROM pg_database WHERE "
               "datname = current_database())") == "1") {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string PgTest::ScalarIn(const std::string& schema, const std::string& sql) {
  auto conn = Connect();
  if (conn == nullptr) return "<no connection>";
  if (!schema.empty()) {
    Status set = conn->Execute("SET search_path TO " + QuoteIdent(schema));
    EXPECT_TRUE(set.ok()) << set.message();
  }
  auto result = conn->Query(sql);
  if (!result.ok()) return "<error: " + result.status().message() + ">";
  return result->Scalar().value_or("NULL");
}

}  // namespace tandem::testing
