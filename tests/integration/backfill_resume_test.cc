// A runner killed with SIGKILL at random points: `tandem backfill` resumes
// from the checkpoints, and the table ends exactly as after a run nobody
// interrupted; rows written through the new version are never overwritten.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "integration/accounts_table.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr int kRows = 40000;

// Every row's id, score and writer: equal fingerprints, equal tables.
constexpr char kFingerprint[] =
    "SELECT md5(string_agg(id || ':' || coalesce(_tandem_new_score::text, '-') || ':' || "
    "coalesce(_tandem_written_by, '-'), ',' ORDER BY id)) FROM accounts";

class BackfillResumeTest : public AccountsScoreTest {
 protected:
  void SetUpDatabase() override {
    AccountsScoreTest::SetUpDatabase();
    if (HasFatalFailure()) return;
    StartScoreMigration(kRows, 500);
  }

  // Undoes the backfill (not the new version's writes), trigger off.
  void ResetBackfill() {
    Exec(
        "BEGIN; SET LOCAL session_replication_role = replica; UPDATE accounts SET "
        "_tandem_new_score = NULL, _tandem_written_by = NULL WHERE _tandem_written_by = 'o'; "
        "DELETE FROM tandem.backfill_checkpoints; DELETE FROM tandem.backfill_runs; UPDATE "
        "tandem.migrations SET backfill_done = false; COMMIT");
  }

  // A killed client's server sessions end once the server notices; wait
  // for that, so the test's own statements do not race them.
  void WaitForKilledSessions() {
    for (int i = 0; i < 100; ++i) {
      if (Scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                 "pid <> pg_backend_pid() AND backend_type = 'client backend'") == "0") {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "sessions of a killed runner are still there after 5s";
  }

  long long RowsDone() {
    return std::stoll(
        Scalar("SELECT coalesce(sum(rows_done), 0) FROM tandem.backfill_checkpoints"));
  }
};

TEST_F(BackfillResumeTest, SigkillAtRandomPointsThenResumeEqualsAnUninterruptedRun) {
  CommandResult clean = Tandem({"backfill", "--batch-size", "300"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  const std::string uninterrupted = Scalar(kFingerprint);
  ASSERT_EQ(Scalar("SELECT count(*) FROM accounts WHERE _tandem_written_by = 'n' AND "
                   "_tandem_new_score = -1"),
            "80");

  std::mt19937 random(20261121);
  int kills = 0;
  int kills_mid_way = 0;
  constexpr int kTrials = 10;
  for (int trial = 0; trial < kTrials; ++trial) {
    ResetBackfill();
    ASSERT_EQ(RowsDone(), 0);
    std::string concurrency = std::to_string(1 + trial % 3);
    for (int attempt = 0; attempt < 2; ++attempt) {
      int pid =
          SpawnTandem(url_, {"backfill", "--batch-size", "300", "--concurrency", concurrency});
      // The kill lands at a random point after the first checkpoint, not
      // after a random time since the spawn: planning the key ranges takes
      // from 50 ms to half a second depending on the machine's load.
      for (int i = 0; i < 1000 && RowsDone() == 0 && WaitTandem(pid, false) == -2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      std::uniform_int_distribution<int> delay_ms(0, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
      if (WaitTandem(pid, false) != -2) break;  // finished before the kill
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      int ended = WaitTandem(pid);
      if (ended == 0) break;  // it finished between the check and the signal
      EXPECT_EQ(ended, -1) << "trial " << trial << ": killed, it must end by the signal";
      kills += 1;
      WaitForKilledSessions();
      long long done = RowsDone();
      if (done > 0 && done < kRows) kills_mid_way += 1;
      EXPECT_LE(done, kRows) << "trial " << trial << ": a chunk was counted twice";
    }
    CommandResult resumed = Tandem({"backfill", "--concurrency", concurrency});
    ASSERT_EQ(resumed.exit_code, 0) << "trial " << trial << ": " << resumed.err;
    EXPECT_EQ(Scalar(kFingerprint), uninterrupted) << "trial " << trial;
    EXPECT_EQ(RowsDone(), kRows) << "trial " << trial << ": every row walked exactly once";
    EXPECT_EQ(Scalar("SELECT count(*) FROM accounts WHERE _tandem_new_score = -1"), "80")
        << "trial " << trial << ": rows written through the new version were overwritten";
  }
  EXPECT_GE(kills, kTrials) << "too few runs were killed to prove anything";
  EXPECT_GE(kills_mid_way, kTrials / 2) << "too few kills landed in the middle of the backfill";
  EXPECT_EQ(Tandem({"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace tandem::testing
