// The backfill on a real server: chunks sized to a target time, a failing
// `up` pinned to its row, pause/resume from another process, a clean stop
// on SIGINT, and resuming after each.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/strings.h"
#include "integration/items_table.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

class BackfillTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(kItems);
    file_ = WriteMigration("02_code.yaml", kCodeToInteger);
  }
  std::string Done() {
    return Scalar("SELECT count(*) FROM items WHERE _tandem_written_by IS NOT NULL");
  }
  // The last backfill_progress line of --json output.
  static nlohmann::json LastProgress(const std::string& out) {
    nlohmann::json last;
    for (const auto& line : Split(out, '\n')) {
      if (line.find("backfill_progress") != std::string::npos) last = nlohmann::json::parse(line);
    }
    return last;
  }
  std::string file_;
};

TEST_F(BackfillTest, ChunksGrowTowardTheTargetTimeAtMostOneAndAHalfTimesPerChunk) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  CommandResult backfill =
      Tandem({"--json", "backfill", "--concurrency", "1", "--target-chunk-time", "5s"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  std::vector<nlohmann::json> lines;
  for (const auto& line : Split(backfill.out, '\n')) {
    if (line.find("backfill_progress") != std::string::npos) {
      lines.push_back(nlohmann::json::parse(line));
    }
  }
  ASSERT_FALSE(lines.empty()) << backfill.out;
  int biggest = 0;
  for (const auto& line : lines) {
    // One worker, first chunk 1000 rows, at most 1.5x per chunk after it.
    int size = line["batch_size"].get<int>();
    double bound = 1000 * std::pow(1.5, line["chunks"].get<int>()) + 1;
    EXPECT_LE(size, bound) << line.dump();
    biggest = std::max(biggest, size);
  }
  EXPECT_GT(biggest, 1000) << "fast chunks must grow toward 5s";
  EXPECT_TRUE(lines.back()["done"].get<bool>());
  EXPECT_EQ(Done(), "60000");
}

TEST_F(BackfillTest, AFailingUpNamesTheRowKeepsTheCheckpointAndResumesOnceItIsFixed) {
  Exec("UPDATE items SET code = 'abc' WHERE id = 31337");
  CommandResult start = Tandem({"start", "--concurrency", "1", file_});
  EXPECT_EQ(start.exit_code, 3) << start.err;
  EXPECT_NE(start.err.find("failed on the row with key (31337)"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("CAST(NEW.\"code\" AS integer)"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("invalid input syntax for type integer"), std::string::npos);
  EXPECT_NE(start.err.find("tandem backfill"), std::string::npos) << "says how to continue";
  EXPECT_EQ(Done(), "31336") << "the rows before the bad one are kept";
  EXPECT_EQ(Scalar("SELECT last_key::text FROM tandem.backfill_checkpoints WHERE NOT done ORDER "
                   "BY range_no LIMIT 1"),
            "{31336}")
      << "the checkpoint stops right before the failing row";
  Exec("UPDATE items SET code = '7' WHERE id = 31337");
  CommandResult resumed = Tandem({"backfill"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_new_code = code::integer"), "60000");
  EXPECT_EQ(Scalar("SELECT sum(rows_done) FROM tandem.backfill_checkpoints"), "60000")
      << "no chunk was counted twice";
}

TEST_F(BackfillTest, AFailingUpOnOneWorkerStopsTheOthersAndTheRowIsNamed) {
  Exec("UPDATE items SET code = 'abc' WHERE id = 7");
  CommandResult start = Tandem({"start", "--concurrency", "2", file_});
  EXPECT_EQ(start.exit_code, 3) << start.err;
  EXPECT_NE(start.err.find("failed on the row with key (7)"), std::string::npos) << start.err;
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem.migrations"), "f");
  Exec("UPDATE items SET code = '7' WHERE id = 7");
  ASSERT_EQ(Tandem({"backfill"}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_new_code = code::integer"), "60000");
}

TEST_F(BackfillTest, EmptyTablesFinishWithoutEvaluatingUp) {
  // `up` is a constant that no integer column takes: any row would fail,
  // but there is none, with a key or without.
  Exec(
      "CREATE TABLE empty_keyed (id bigserial PRIMARY KEY, label text); CREATE TABLE "
      "empty_keyless (label text)");
  std::string file = WriteMigration("03_sizes.yaml", R"y(operations:
  - add_column:
      table: empty_keyed
      up: "'not a number'"
      column: {name: size, type: integer, nullable: true}
  - add_column:
      table: empty_keyless
      up: "'not a number'"
      column: {name: size, type: integer, nullable: true}
)y");
  CommandResult start = Tandem({"start", file});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.backfill_checkpoints WHERE NOT done"), "0");
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem.migrations"), "t");
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
  std::string err_path = WriteMigration("stderr.txt", "");
  int runner = SpawnTandem(url_, {"backfill", "--batch-size", "100"}, err_path);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(kill(runner, SIGINT), 0);  // this test's runner only
  EXPECT_EQ(WaitTandem(runner), 3);
  std::ifstream err_file(err_path);
  std::string err((std::istreambuf_iterator<char>(err_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(err.find("stopped (interrupted by a signal)"), std::string::npos) << err;
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem.migrations"), "f");
  ASSERT_EQ(Tandem({"resume"}).exit_code, 0);
  CommandResult resumed = Tandem({"backfill"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Done(), "60000");
  EXPECT_EQ(Tandem({"verify"}).exit_code, 0);
}

TEST_F(BackfillTest, TheFilesBackfillSettingsApply) {
  std::string file =
      WriteMigration("02_code.yaml", std::string(kCodeToInteger) +
                                         "backfill:\n  concurrency: 1\n  batch_size: 700\n");
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file}).exit_code, 0);
  CommandResult backfill = Tandem({"--json", "backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  nlohmann::json last = LastProgress(backfill.out);
  EXPECT_EQ(last["max_workers"], 1) << last.dump();
  EXPECT_EQ(last["batch_size"], 700) << last.dump();
}

TEST_F(BackfillTest, FlagsWinOverTheFilesBackfillSettings) {
  std::string file =
      WriteMigration("02_code.yaml", std::string(kCodeToInteger) +
                                         "backfill:\n  concurrency: 1\n  batch_size: 700\n");
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file}).exit_code, 0);
  CommandResult backfill =
      Tandem({"--json", "backfill", "--concurrency", "3", "--batch-size", "900"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  nlohmann::json last = LastProgress(backfill.out);
  EXPECT_EQ(last["max_workers"], 3) << last.dump();
  EXPECT_EQ(last["batch_size"], 900) << last.dump();
}

TEST_F(BackfillTest, VacuumEveryVacuumsTheTableDuringTheBackfillAndAnalyzeRunsAtTheEnd) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  CommandResult backfill = Tandem({"backfill", "--vacuum-every", "10000", "--batch-size", "2000"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  std::string counts;
  for (int i = 0; i < 40; ++i) {  // the statistics are flushed within a second
    counts = Scalar(
        "SELECT vacuum_count || ',' || analyze_count FROM pg_stat_user_tables WHERE "
        "relname = 'items'");
    if (counts != "0,0" && counts.find(",0") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::vector<std::string> parts = Split(counts, ',');
  ASSERT_EQ(parts.size(), 2u) << counts;
  EXPECT_GE(std::stoi(parts[0]), 2) << "60000 rows, a VACUUM every 10000";
  EXPECT_GE(std::stoi(parts[1]), 1) << "ANALYZE at the end";
  EXPECT_EQ(Done(), "60000");
}

TEST_F(BackfillTest, BloatControlRebuildsTheIndexesTheBackfillDoubled) {
  // A second index, whose name PostgreSQL shortens in its rebuild's: 63 bytes.
  const std::string long_name("items_code_index_with_a_name_long_enough_to_be_shortened_123456");
  Exec("CREATE INDEX " + long_name + " ON items (code)");
  long long before = std::stoll(Scalar("SELECT pg_relation_size('items_pkey')"));
  // What a cancelled REINDEX CONCURRENTLY leaves behind: an invalid index
  // named after the one it rebuilt (here a unique build that fails), for
  // the long name its first 57 bytes and the suffix.
  EXPECT_FALSE(
      Connect()->Execute("CREATE UNIQUE INDEX CONCURRENTLY items_pkey_ccnew ON items (code)").ok());
  EXPECT_FALSE(Connect()
                   ->Execute("CREATE UNIQUE INDEX CONCURRENTLY " + long_name.substr(0, 57) +
                             "_ccnew ON items (code)")
                   .ok());
  ASSERT_EQ(Scalar("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "2");
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  CommandResult backfill = Tandem({"backfill", "--vacuum-every", "10000", "--batch-size", "2000"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_EQ(Done(), "60000");
  EXPECT_EQ(Scalar("SELECT bytes_at_start FROM tandem.backfill_index_sizes WHERE index_name = "
                   "'items_pkey'"),
            std::to_string(before));
  long long after = std::stoll(Scalar("SELECT pg_relation_size('items_pkey')"));
  EXPECT_LE(after, before * 5 / 4) << "rebuilt: " << before << " -> " << after << " bytes";
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "0")
      << "the leftovers were dropped";
  // The primary key, the long-named index and its copy on the new column.
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'items'"), "3");
  EXPECT_EQ(Scalar("SELECT state || ',' || waiting_reason FROM tandem.backfill_runs"), "done,");
}

TEST_F(BackfillTest, WithoutBloatControlTheIndexesKeepTheirGrowth) {
  long long before = std::stoll(Scalar("SELECT pg_relation_size('items_pkey')"));
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  CommandResult backfill = Tandem({"backfill", "--vacuum-every", "0", "--batch-size", "2000"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  long long after = std::stoll(Scalar("SELECT pg_relation_size('items_pkey')"));
  // Every row updated out of place: a second entry per row in the index.
  EXPECT_GT(after, before * 3 / 2) << before << " -> " << after << " bytes";
}

TEST_F(BackfillTest, AStateSchemaOfAnOlderTandemGetsTheCheckpointTables) {
  ASSERT_EQ(Tandem({"init"}).exit_code, 0);
  Exec("DROP TABLE tandem.backfill_checkpoints, tandem.backfill_runs");  // as before checkpoints
  CommandResult start = Tandem({"start", file_});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(Scalar("SELECT sum(rows_done) FROM tandem.backfill_checkpoints"), "60000");
  EXPECT_EQ(Scalar("SELECT state FROM tandem.backfill_runs"), "done");
}

}  // namespace
}  // namespace tandem::testing
