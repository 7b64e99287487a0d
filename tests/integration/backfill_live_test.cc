// The backfill of a busy table: a writer inserts, updates and deletes
// through both versions while the workers run; a second process pauses and
// resumes them and reads their progress with `tandem status --json`.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "integration/items_table.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kNewVersion[] = "public_02_code";

class BackfillLiveTest : public ItemsMigrationTest {
 protected:
  long long RowsDone() {
    return std::stoll(
        Scalar("SELECT coalesce(sum(rows_done), 0) FROM tandem.backfill_checkpoints"));
  }
  nlohmann::json BackfillStatus() {
    CommandResult status = Tandem({"--json", "status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    nlohmann::json parsed = nlohmann::json::parse(status.out, nullptr, false);
    if (parsed.is_discarded() || parsed["backfill"].empty()) {
      ADD_FAILURE() << "no backfill in status: " << status.out;
      return nlohmann::json::object();
    }
    return parsed["backfill"][0];
  }
};

// One random write through the old (public) or the new version.
std::string RandomWrite(std::mt19937& random, long long& next_new_id) {
  std::uniform_int_distribution<int> pick(0, 5);
  std::uniform_int_distribution<long long> row(1, 60000);
  std::uniform_int_distribution<int> value(0, 99999);
  std::string id = std::to_string(row(random));
  std::string v = std::to_string(value(random));
  std::string in_new = std::string("SET search_path TO ") + kNewVersion + "; ";
  switch (pick(random)) {
    case 0:
      return "INSERT INTO items (code) VALUES ('" + v + "')";
    case 1:
      return "UPDATE items SET code = '" + v + "' WHERE id = " + id;
    case 2:
      return "DELETE FROM items WHERE id = " + id;
    case 3:
      return in_new + "INSERT INTO items (id, code) VALUES (" + std::to_string(next_new_id++) +
             ", " + v + ")";
    case 4:
      return in_new + "UPDATE items SET code = " + v + " WHERE id = " + id;
    default:
      return in_new + "DELETE FROM items WHERE id = " + id;
  }
}

TEST_F(BackfillLiveTest, AWriterThroughBothVersionsDuringTheBackfillLeavesEveryRowInSync) {
  std::atomic<bool> backfilling{true};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    std::mt19937 random(42);
    long long next_new_id = 10000000;
    while (backfilling) {
      auto conn = Connect();
      if (!conn) return;
      Status written = conn->Execute(RandomWrite(random, next_new_id));
      EXPECT_TRUE(written.ok()) << written.message();
      writes += 1;
    }
  });
  CommandResult backfill = Tandem({"backfill", "--batch-size", "300", "--concurrency", "2"});
  backfilling = false;
  writer.join();
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_GT(writes.load(), 50) << "the writer barely ran during the backfill";
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_written_by IS NULL"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_new_code IS DISTINCT FROM "
                   "CAST(code AS integer)"),
            "0");
  EXPECT_NE(Scalar("SELECT count(*) FROM items WHERE _tandem_written_by = 'n'"), "0");
  CommandResult verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(BackfillLiveTest, PauseAndResumeWorkersMidWayWhileStatusShowsTheProgress) {
  // Tiny chunks and a rate cap keep it busy for about 10 s, long enough for
  // the pause even when a loaded machine is slow to start `tandem pause`;
  // the runner sees the pause within a second.
  int runner = SpawnTandem(url_, {"backfill", "--batch-size", "20", "--concurrency", "2",
                                  "--max-rows-per-second", "6000"});
  for (int i = 0; i < 200 && RowsDone() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Tandem({"pause"}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // workers finish their chunk
  long long paused_at = RowsDone();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(RowsDone(), paused_at) << "paused workers must not write";
  EXPECT_GT(paused_at, 0);
  EXPECT_LT(paused_at, 60000) << "the backfill finished before the pause: make it slower";

  nlohmann::json status = BackfillStatus();
  EXPECT_EQ(status.value("state", ""), "running") << status.dump();
  EXPECT_TRUE(status.value("paused", false)) << status.dump();
  EXPECT_NE(status.value("waiting_reason", "").find("paused"), std::string::npos);
  EXPECT_EQ(status.value("rows_scanned", 0LL), paused_at) << status.dump();
  EXPECT_EQ(status.value("max_workers", 0), 2);
  EXPECT_GT(status.value("estimated_total", 0LL), 0);
  EXPECT_TRUE(status["eta_ms"].is_null()) << "no ETA while nothing moves: " << status.dump();
  // As text: the table's line says paused instead of a rate decaying
  // towards zero, and no "pending" above a backfill that is under way.
  CommandResult text = Tandem({"status"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.find("pending"), std::string::npos) << text.out;
  std::string items_line = text.out.substr(text.out.find("items: "));
  items_line = items_line.substr(0, items_line.find('\n'));
  EXPECT_NE(items_line.find("paused"), std::string::npos) << items_line;
  EXPECT_EQ(items_line.find("rows/s"), std::string::npos) << items_line;
  EXPECT_EQ(items_line.find("ETA"), std::string::npos) << items_line;

  ASSERT_EQ(Tandem({"resume"}).exit_code, 0);
  EXPECT_EQ(WaitTandem(runner), 0);
  status = BackfillStatus();
  EXPECT_EQ(status.value("state", ""), "done") << status.dump();
  EXPECT_TRUE(status.value("done", false));
  EXPECT_EQ(status.value("rows_scanned", 0LL), 60000);
  EXPECT_EQ(status.value("percent", 0.0), 100.0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_new_code = code::integer"), "60000");
}

TEST_F(BackfillLiveTest, JsonProgressComesAboutOnceASecondNotPerChunk) {
  CommandResult backfill =
      Tandem({"--json", "backfill", "--batch-size", "100", "--concurrency", "1"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  for (size_t end; (end = backfill.out.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = backfill.out.substr(start, end - start);
    if (line.find("backfill_progress") != std::string::npos) {
      lines.push_back(nlohmann::json::parse(line));
    }
  }
  ASSERT_FALSE(lines.empty());
  const nlohmann::json& last = lines.back();
  EXPECT_TRUE(last["done"].get<bool>());
  EXPECT_GE(last["chunks"].get<int>(), 600);
  // 600 chunks, yet a line per interval (and one at the end).
  long long seconds = last["elapsed_ms"].get<long long>() / 1000;
  EXPECT_LE(static_cast<long long>(lines.size()), seconds + 2) << backfill.out;
  for (const char* key : {"rows_per_second", "eta_ms", "workers", "batch_size", "percent"}) {
    EXPECT_TRUE(last.contains(key)) << key;
  }
}

TEST_F(BackfillLiveTest, ATableUnderHeavyInsertsStillFinishes) {
  std::atomic<bool> inserting{true};
  std::atomic<long long> inserted{0};
  std::thread inserter([&] {
    auto conn = Connect();
    while (conn && inserting) {
      Status status = conn->Execute(
          "INSERT INTO items (code) SELECT (i % 1000)::text FROM generate_series(1, 200) i");
      EXPECT_TRUE(status.ok()) << status.message();
      inserted += 200;
    }
  });
  int runner = SpawnTandem(url_, {"backfill", "--batch-size", "300", "--concurrency", "2"});
  int exit_code = -2;
  for (int i = 0; i < 600 && exit_code == -2; ++i) {  // at most a minute
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    exit_code = WaitTandem(runner, false);
  }
  if (exit_code == -2) {
    kill(runner, SIGKILL);
    WaitTandem(runner);
  }
  inserting = false;
  inserter.join();
  EXPECT_EQ(exit_code, 0) << "the backfill chased the inserts instead of finishing";
  EXPECT_GT(inserted.load(), 1000) << "the inserter barely ran";
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_written_by IS NULL OR "
                   "_tandem_new_code IS DISTINCT FROM CAST(code AS integer)"),
            "0");
}

TEST_F(BackfillLiveTest, WorkersWhoseSessionsAreKilledReconnectAndGoOnFromTheirCheckpoint) {
  std::string err_path = WriteMigration("stderr.txt", "");
  int runner =
      SpawnTandem(url_, {"-v", "backfill", "--batch-size", "50", "--concurrency", "2"}, err_path);
  int killed = 0;
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    killed += std::stoi(
        Scalar("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
               "WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE "
               "'%WITH chunk%' AND state = 'active'"));
  }
  EXPECT_EQ(WaitTandem(runner), 0);
  EXPECT_GT(killed, 0) << "no worker session was caught in a chunk";
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_new_code = code::integer AND "
                   "_tandem_written_by = 'o'"),
            "60000");
  EXPECT_EQ(RowsDone(), 60000) << "a chunk lost with its session was counted";
}

TEST_F(BackfillLiveTest, AWorkerThatRunsOutOfRangesTakesOverHalfOfABusyOnesRange) {
  // The top keys are slow to update, so one range is still busy when the
  // others are done, however the machine schedules the workers.
  Exec(
      "CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM "
      "pg_sleep(0.0005); RETURN NEW; END $$; CREATE TRIGGER slow BEFORE UPDATE ON items FOR EACH "
      "ROW WHEN (NEW.id > 55000) EXECUTE FUNCTION slow_row()");
  CommandResult backfill = Tandem({"backfill", "--batch-size", "100", "--concurrency", "2"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_GT(std::stoi(Scalar("SELECT count(*) FROM tandem.backfill_checkpoints")), 8)
      << "no range was split for the idle worker";
  EXPECT_EQ(RowsDone(), 60000) << "split ranges overlap or leave a gap";
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_new_code = code::integer"), "60000");
  // Consecutive ranges meet: each one's upper bound is the next one's lower.
  EXPECT_EQ(Scalar("SELECT count(*) FROM (SELECT upper_key, lead(lower_key) OVER (ORDER BY "
                   "lower_key[1]::bigint NULLS FIRST) AS next FROM tandem.backfill_checkpoints) r "
                   "WHERE upper_key IS DISTINCT FROM next"),
            "0");
}

}  // namespace
}  // namespace tandem::testing
