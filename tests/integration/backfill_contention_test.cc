// An application that updates rows an in-flight chunk holds waits for that
// chunk to commit. Once the backfill sees such a wait, it shortens its
// chunks (Options::contended_chunk_time), and says so in its progress.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/strings.h"
#include "integration/accounts_table.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

// Every row's `up` sleeps 0.2 ms, so a chunk sized to 1 s holds thousands of
// rows for a second: an application writing at random meets them.
constexpr char kSlowUp[] = R"y(operations:
  - add_column:
      table: accounts
      up: name || left(pg_sleep(0.0002)::text, 0)
      column:
        name: label
        type: text
        nullable: true
)y";

class BackfillContentionTest : public PgTest {
 protected:
  // The progress lines of --json output that are not the last (done) one.
  static std::vector<nlohmann::json> RunningProgress(const std::string& out) {
    std::vector<nlohmann::json> lines;
    for (const auto& line : Split(out, '\n')) {
      if (line.find("backfill_progress") == std::string::npos) continue;
      nlohmann::json progress = nlohmann::json::parse(line);
      if (!progress["done"].get<bool>()) lines.push_back(progress);
    }
    return lines;
  }
  void SetUpDatabase() override {
    Exec(AccountsTable(8000));
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("02_label.yaml", kSlowUp)}).exit_code,
        0);
  }
};

TEST_F(BackfillContentionTest, ChunksShortenWhileTheApplicationWaitsOnTheirRows) {
  std::atomic<bool> backfilling{true};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    std::mt19937 random(7);
    std::uniform_int_distribution<int> row(1, 8000);
    auto conn = Connect();
    while (backfilling && conn) {
      Status written = conn->Execute("UPDATE accounts SET name = name WHERE id = " +
                                     std::to_string(row(random)));
      EXPECT_TRUE(written.ok()) << written.message();
      writes += 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  CommandResult backfill =
      Tandem({"--json", "backfill", "--concurrency", "1", "--target-chunk-time", "1s"});
  backfilling = false;
  writer.join();
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_GT(writes.load(), 100) << "the writer barely ran during the backfill";
  EXPECT_NE(backfill.out.find("\"short_chunks\":true"), std::string::npos) << backfill.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM accounts WHERE _tandem_new_label IS DISTINCT FROM name"),
            "0");
}

TEST_F(BackfillContentionTest, ADefaultBackfillStartsWithShortChunksWhileNobodyWaits) {
  CommandResult backfill = Tandem({"--json", "backfill", "--concurrency", "1"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  std::vector<nlohmann::json> lines = RunningProgress(backfill.out);
  ASSERT_FALSE(lines.empty()) << "8000 rows at 0.3 ms or more each take over a second";
  for (const auto& line : lines) {
    // The first 10 s (Options::gentle_start); what chunks then aim at is
    // Coordinator::TargetChunkTime's (unit tests).
    if (line["elapsed_ms"].get<int>() > 9000) continue;
    EXPECT_TRUE(line["gentle_start"].get<bool>()) << line.dump();
    EXPECT_FALSE(line["short_chunks"].get<bool>()) << "nobody waited: " << line.dump();
  }
}

TEST_F(BackfillContentionTest, AChosenTargetHoldsFromTheFirstChunk) {
  CommandResult backfill =
      Tandem({"--json", "backfill", "--concurrency", "1", "--target-chunk-time", "400ms"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  std::vector<nlohmann::json> lines = RunningProgress(backfill.out);
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    EXPECT_FALSE(line["gentle_start"].get<bool>()) << line.dump();
    if (line["chunks"].get<int>() == 0) continue;  // no chunk done yet
    EXPECT_GT(line["batch_size"].get<int>(), 150) << "400 ms of rows at 1.2 ms or less each";
  }
}

}  // namespace
}  // namespace tandem::testing
