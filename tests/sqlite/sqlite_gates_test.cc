// The readiness gates on real SQLite files through the real binary (the
// checks shared with PostgreSQL, support/gates_cli.h).
#include <gtest/gtest.h>

#include <chrono>
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

// SQLite's window has no baseline to measure: the switch happens, and the
// window itself stops when the limit comes.
TEST_F(SqliteGatesTest, MaxRuntimeStopsARunningObservationWindow) {
  auto began = std::chrono::steady_clock::now();
  ASSERT_EQ(Tandem({"start", WriteMigration("02_name.yaml", kUsersNameNotNull)}).exit_code, 0);
  ASSERT_EQ(Tandem({"verify"}).exit_code, 0);
  // At least 2s from now (the recorded start is at most a second earlier
  // than `began`), and far less than the window.
  auto elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began);
  std::string limit = std::to_string(elapsed.count() + 3) + "s";
  auto window_began = std::chrono::steady_clock::now();
  CommandResult run = Tandem({"switch", "--observe", "60s", "--max-runtime", limit});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find("the observation window stopped: --max-runtime "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("`tandem switch --back` flips back"), std::string::npos) << run.err;
  EXPECT_LT(std::chrono::steady_clock::now() - window_began, std::chrono::seconds(30))
      << "stopped well before the window's end";
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations ORDER BY id DESC LIMIT 1"), "switched");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'max_runtime'"), "1");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'observe' AND outcome = 'ok'"),
            "0")
      << "a window cut short is not clean";
}

TEST_F(SqliteGatesTest, SignoffStaleAfterFileChange) { ExpectSignoffStaleAfterFileChange(url_); }
TEST_F(SqliteGatesTest, RehearsalBoundToThePlan) { ExpectRehearsalBoundToThePlan(url_); }
TEST_F(SqliteGatesTest, RollbackIgnoresTheTimeLimit) { ExpectRollbackIgnoresTheTimeLimit(url_); }

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
