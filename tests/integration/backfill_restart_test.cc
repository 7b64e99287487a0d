// The database crashes and restarts in the middle of a backfill: the runner
// either rides through the restart (its workers reconnect) or stops with its
// checkpoints kept, and `tandem backfill` then finishes. Either way the
// table ends exactly as after an uninterrupted run, and no chunk is counted
// twice. The suite crashes a server of its own (OwnServer), not the shared
// one the other tests use.
#include <chrono>
#include <thread>

#include "integration/accounts_table.h"
#include "integration/own_server.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr int kRows = 120000;
// Longer than a lost connection was waited for before --reconnect-window.
constexpr int kOutageSeconds = 8;

class BackfillRestartTest : public AccountsScoreTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(server_.Start()); }
  static void TearDownTestSuite() { server_.Stop(); }

  void SetUpDatabase() override {
    AccountsScoreTest::SetUpDatabase();
    if (HasFatalFailure()) return;
    StartScoreMigration(kRows, 1000);
  }

  long long Count(const std::string& where) {
    return std::stoll(Scalar("SELECT count(*) FROM accounts WHERE " + where));
  }

  static inline OwnServer server_{"restart"};
};

TEST_F(BackfillRestartTest, ACrashRestartMidwayEndsLikeAnUninterruptedRun) {
  // The rate cap keeps the backfill going for about 6 s, so the crash lands
  // in the middle of it and the runner still works a while after it.
  CommandResult first;
  std::thread runner([&] {
    first = Tandem({"--json", "backfill", "--batch-size", "500", "--concurrency", "2",
                    "--max-rows-per-second", "20000"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  long long before_crash = Count("_tandem_written_by = 'o'");
  ASSERT_TRUE(server_.Crash());

  // The crash ended the session that held the runner lock: the runner takes
  // it back within about a second, so a second runner is turned away.
  bool lock_back = false;
  for (int i = 0; i < 40 && !lock_back; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lock_back = Scalar(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                    "database = (SELECT oid FROM pg_database WHERE datname = "
                    "current_database())") == "1";
  }
  long long after_lock = Count("_tandem_written_by = 'o'");
  CommandResult second = Tandem({"backfill"});
  runner.join();
  EXPECT_GT(before_crash, 0) << "the crash came before the backfill wrote anything";
  EXPECT_LT(after_lock, kRows - 120) << "the backfill finished before the lock could be checked";
  EXPECT_TRUE(lock_back) << "the runner did not take the runner lock back after the restart";
  EXPECT_EQ(second.exit_code, 3) << second.out << second.err;
  EXPECT_NE(second.err.find("another tandem runner"), std::string::npos) << second.err;

  // The workers reconnect and ride through a restart this short.
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  if (first.exit_code != 0) {
    CommandResult resumed = Tandem({"backfill", "--concurrency", "2"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  }
  EXPECT_EQ(Count("_tandem_written_by IS NULL"), 0);
  EXPECT_EQ(Count("_tandem_written_by = 'o' AND _tandem_new_score IS DISTINCT FROM "
                  "length(name) * 100 + id % 97"),
            0);
  EXPECT_EQ(Count("_tandem_written_by = 'n' AND _tandem_new_score = -1"), kRows / 1000)
      << "rows written through the new version were overwritten";
  EXPECT_EQ(Scalar("SELECT sum(rows_done) FROM tandem.backfill_checkpoints"), std::to_string(kRows))
      << "every row walked exactly once";
  EXPECT_EQ(Tandem({"verify"}).exit_code, 0);
}

// A server down for several seconds (longer than the chunk retries'
// backoff) is waited for within --reconnect-window (60 s by default).
TEST_F(BackfillRestartTest, AnOutageWithinTheReconnectWindowIsRiddenThrough) {
  CommandResult run;
  std::thread runner([&] {
    run = Tandem({"--json", "backfill", "--batch-size", "500", "--concurrency", "2",
                  "--max-rows-per-second", "20000"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(server_.Crash(kOutageSeconds));
  runner.join();
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Count("_tandem_written_by IS NULL"), 0);
  EXPECT_EQ(Count("_tandem_written_by = 'o' AND _tandem_new_score IS DISTINCT FROM "
                  "length(name) * 100 + id % 97"),
            0);
  EXPECT_EQ(Scalar("SELECT sum(rows_done) FROM tandem.backfill_checkpoints"), std::to_string(kRows))
      << "every row walked exactly once";
}

TEST_F(BackfillRestartTest, AnOutageLongerThanTheReconnectWindowStopsWithCheckpointsKept) {
  CommandResult run;
  std::thread runner([&] {
    run = Tandem({"backfill", "--batch-size", "500", "--concurrency", "2", "--max-rows-per-second",
                  "20000", "--reconnect-window", "2s"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(server_.Crash(kOutageSeconds));
  runner.join();
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find("--reconnect-window"), std::string::npos) << run.err;
  long long kept = std::stoll(Scalar("SELECT sum(rows_done) FROM tandem.backfill_checkpoints"));
  EXPECT_GT(kept, 0) << "the checkpoints were lost";
  CommandResult resumed = Tandem({"backfill", "--concurrency", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Count("_tandem_written_by IS NULL"), 0);
  EXPECT_EQ(Scalar("SELECT sum(rows_done) FROM tandem.backfill_checkpoints"),
            std::to_string(kRows));
}

}  // namespace
}  // namespace tandem::testing
