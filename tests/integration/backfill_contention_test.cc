// An application that updates rows an in-flight chunk holds waits for that
// chunk to commit. Once the backfill sees such a wait, it shortens its
// chunks (Options::contended_chunk_time), and says so in its progress.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

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
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
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

}  // namespace
}  // namespace tandem::testing
