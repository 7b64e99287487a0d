// The backfill on a real server: chunks sized to a target time, a failing
// `up` pinned to its row, pause/resume from another process, a clean stop
// on SIGINT, and resuming after each.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/strings.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kItems[] = R"sql(
CREATE TABLE items (id bigserial PRIMARY KEY, code text NOT NULL);
INSERT INTO items (code) SELECT (i % 1000)::text FROM generate_series(1, 60000) i;
)sql";

constexpr char kCodeToInteger[] = R"y(operations:
  - alter_column:
      table: items
      column: code
      type: integer
      up: CAST(code AS integer)
      down: CAST(code AS text)
)y";

class BackfillTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    Exec(kItems);
    file_ = WriteMigration("02_code.yaml", kCodeToInteger);
  }
  std::string Done() {
    return Scalar("SELECT count(*) FROM items WHERE _tandem_written_by IS NOT NULL");
  }
  // Sends SIGINT to a running `tandem backfill` (not to the shell around it).
  void Interrupt() {
    std::string command = std::string("pkill -INT -f '^") + TANDEM_BINARY + " backfill'";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  std::string file_;
};

TEST_F(BackfillTest, ChunksGrowTowardTheTargetTimeAtMostOneAndAHalfTimesPerStep) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  CommandResult backfill = Tandem({"--json", "backfill", "--target-chunk-time", "5s"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  std::vector<int> sizes;
  for (const auto& line : Split(backfill.out, '\n')) {
    if (line.find("backfill_progress") == std::string::npos) continue;
    sizes.push_back(nlohmann::json::parse(line)["batch_size"].get<int>());
  }
  ASSERT_GE(sizes.size(), 3u) << backfill.out;
  EXPECT_EQ(sizes[0], 1000);
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 1000);
  for (size_t i = 1; i < sizes.size(); ++i) {
    EXPECT_LE(sizes[i], sizes[i - 1] * 3 / 2 + 1) << "grew faster than 1.5x at chunk " << i;
  }
  EXPECT_EQ(Done(), "60000");
}

TEST_F(BackfillTest, AFailingUpNamesTheRowAndTheBackfillResumesOnceItIsFixed) {
  Exec("UPDATE items SET code = 'abc' WHERE id = 31337");
  CommandResult start = Tandem({"start", file_});
  EXPECT_EQ(start.exit_code, 3) << start.err;
  EXPECT_NE(start.err.find("failed on the row after key (31336)"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("CAST(NEW.\"code\" AS integer)"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("invalid input syntax for type integer"), std::string::npos);
  EXPECT_NE(start.err.find("tandem backfill"), std::string::npos) << "says how to continue";
  EXPECT_EQ(Done(), "31336") << "the rows before the bad one are kept";
  Exec("UPDATE items SET code = '7' WHERE id = 31337");
  CommandResult resumed = Tandem({"backfill"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_new_code = code::integer"), "60000");
}

TEST_F(BackfillTest, PauseAndResumeFromAnotherProcess) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  ASSERT_EQ(Tandem({"pause"}).exit_code, 0);
  CommandResult backfill;
  std::thread runner([&] { backfill = Tandem({"--json", "backfill", "--batch-size", "500"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(Done(), "0") << "a paused backfill must not write";
  ASSERT_EQ(Tandem({"resume"}).exit_code, 0);
  runner.join();
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_NE(backfill.out.find("\"paused\":true"), std::string::npos) << backfill.out;
  EXPECT_EQ(Done(), "60000");
  EXPECT_EQ(Scalar("SELECT string_agg(description, ',' ORDER BY id) FROM tandem.events WHERE "
                   "kind = 'control'"),
            "paused,resumed");
}

TEST_F(BackfillTest, PauseWithoutAMigrationIsRefused) { EXPECT_EQ(Tandem({"pause"}).exit_code, 1); }

TEST_F(BackfillTest, SigintStopsAfterTheCurrentChunkAndTheBackfillResumes) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  ASSERT_EQ(Tandem({"pause"}).exit_code, 0);  // hold it still until we interrupt
  CommandResult backfill;
  std::thread runner([&] { backfill = Tandem({"backfill", "--batch-size", "100"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  Interrupt();
  runner.join();
  EXPECT_EQ(backfill.exit_code, 3) << backfill.err;
  EXPECT_NE(backfill.err.find("stopped (interrupted by a signal)"), std::string::npos) << backfill.err;
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem.migrations"), "f");
  ASSERT_EQ(Tandem({"resume"}).exit_code, 0);
  CommandResult resumed = Tandem({"backfill"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Done(), "60000");
  EXPECT_EQ(Tandem({"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace tandem::testing
