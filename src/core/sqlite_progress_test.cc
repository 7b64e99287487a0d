// SQLite's per-table backfill progress on a real file: written at most
// once a second, skipped (not waited for) while another writer holds the
// write lock, kept with its final state, and read back for status.
#include "core/sqlite_progress.h"

#include <gtest/gtest.h>

#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

class SqliteProgressTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    Status init = State().Init();
    ASSERT_TRUE(init.ok()) << init.message();
  }
  backfill::Connector Connect() {
    return [this] { return database_->Connect(); };
  }
  static backfill::Progress Rows(long long done) {
    backfill::Progress p;
    p.table = "users";
    p.rows_scanned = done;
    p.estimated_total = 1000;
    p.rows_per_second = 250;
    p.eta = Millis(4000);
    p.chunks = 3;
    p.batch_size = 256;
    p.workers = p.max_workers = 2;
    return p;
  }
  std::vector<backfill::Progress> Read() {
    Result<std::vector<backfill::Progress>> read = ReadSqliteProgress(*conn_, {"tandem", 7});
    EXPECT_TRUE(read.ok()) << read.status().message();
    return read.ok() ? *read : std::vector<backfill::Progress>{};
  }
};

TEST_F(SqliteProgressTest, AtMostOneWriteASecondThenTheFinalState) {
  EXPECT_TRUE(Read().empty());
  SqliteProgressLog log(Connect(), {"tandem", 7});
  for (int i = 1; i <= 200; ++i) log.Report(Rows(i));
  std::vector<backfill::Progress> kept = Read();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].table, "users");
  EXPECT_EQ(kept[0].rows_scanned, 1) << "the reports within the second were not written";
  EXPECT_EQ(kept[0].estimated_total, 1000);
  EXPECT_EQ(kept[0].state, "running");
  EXPECT_EQ(kept[0].eta, Millis(4000));
  EXPECT_EQ(kept[0].chunks, 3);
  EXPECT_EQ(kept[0].batch_size, 256);
  EXPECT_EQ(kept[0].workers, 2);
  EXPECT_EQ(kept[0].max_workers, 2);
  EXPECT_FALSE(kept[0].done);

  log.Finish(Rows(1000), "done");
  kept = Read();
  ASSERT_EQ(kept.size(), 1u) << "one row per table";
  EXPECT_EQ(kept[0].rows_scanned, 1000);
  EXPECT_EQ(kept[0].state, "done");
  EXPECT_TRUE(kept[0].done);
  EXPECT_FALSE(kept[0].eta) << "no ETA once it is over";
  EXPECT_EQ(kept[0].workers, 0) << "nobody works on it any more";
  EXPECT_TRUE(ReadSqliteProgress(*conn_, {"tandem", 8})->empty()) << "another migration's";
}

TEST_F(SqliteProgressTest, AWriteThatFindsTheLockTakenIsSkippedNotWaitedFor) {
  SqliteProgressLog log(Connect(), {"tandem", 7}, std::chrono::milliseconds(0));
  log.Report(Rows(10));
  Exec("BEGIN IMMEDIATE");  // an application's write transaction
  auto started = std::chrono::steady_clock::now();
  log.Report(Rows(20));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
  Exec("COMMIT");
  EXPECT_EQ(Read().at(0).rows_scanned, 10);
  log.Report(Rows(30));
  EXPECT_EQ(Read().at(0).rows_scanned, 30) << "the next write keeps the newest";
}

TEST_F(SqliteProgressTest, ARunningRowNotWrittenForAWhileIsNotRunning) {
  SqliteProgressLog log(Connect(), {"tandem", 7});
  log.Report(Rows(10));
  Exec("UPDATE tandem_backfill_progress SET updated_at = '2020-01-01 00:00:00.000+00'");
  std::vector<backfill::Progress> kept = Read();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].state, "not running");
  EXPECT_FALSE(kept[0].eta);
}

}  // namespace
}  // namespace tandem::core::testing
