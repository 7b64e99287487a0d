// The readiness gates on real SQLite files through the real binary (the
// checks shared with PostgreSQL, support/gates_cli.h).
#include <gtest/gtest.h>

#include <fstream>

#include "sqlite/sqlite_fixture.h"
#include "support/gates_cli.h"

namespace tandem::testing {
namespace {

class SqliteGatesTest : public SqliteTest {
 protected:
  void SetUpDatabase() override { CreateUsers(300); }
};

TEST_F(SqliteGatesTest, SwitchGateNeedsSignoff) { ExpectSwitchGateNeedsSignoff(url_); }

TEST_F(SqliteGatesTest, ContractGateNeedsCleanObservation) {
  ExpectContractGateNeedsCleanObservation(
      url_, [this](const std::string& sql) { Exec(sql); }, "tandem_events");
}

TEST_F(SqliteGatesTest, MaxRuntimeStopsResumably) {
  ExpectMaxRuntimeStopsResumably(
      url_, [this](const std::string& sql) { return Scalar(sql); }, "tandem_events",
      /*chunked_complete=*/true);
}

TEST_F(SqliteGatesTest, SignoffStaleAfterFileChange) { ExpectSignoffStaleAfterFileChange(url_); }

TEST_F(SqliteGatesTest, ApprovalBoundToFileAndDatabase) {
  std::string other_path = path_ + ".other";
  std::string other_url = "sqlite:" + other_path;
  std::ofstream{other_path};  // tandem opens existing files only
  auto database = backend::OpenDatabase(other_url);
  ASSERT_TRUE(database.ok()) << database.status().message();
  auto conn = (*database)->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  ASSERT_TRUE((*conn)
                  ->Execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT "
                            "INTO users (name) VALUES ('a'), (NULL)")
                  .ok());
  conn->reset();
  ExpectApprovalBoundToFileAndDatabase(url_, other_url);
}

TEST_F(SqliteGatesTest, RunRequireApproval) { ExpectRunRequireApproval(url_); }

TEST_F(SqliteGatesTest, StartSignoffPolicy) { ExpectStartSignoffPolicy(url_); }

TEST_F(SqliteGatesTest, FreezeRefusesComplete) { ExpectFreezeRefusesComplete(url_); }

TEST_F(SqliteGatesTest, CompatibilityProbesGateTheBackfill) {
  ExpectCompatibilityProbesGateTheBackfill(url_);
}

TEST_F(SqliteGatesTest, RunbookAndReport) {
  ExpectRunbookAndReport(
      url_, [this](const std::string& sql) { Exec(sql); }, "tandem_events", 300);
}

}  // namespace
}  // namespace tandem::testing
