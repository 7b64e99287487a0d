// The SQLite backfill survives a crash: kill -9 in the middle, and the next
// `tandem backfill` finishes the rows left, skipping those done.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

constexpr int kRows = 200000;

class SqliteBackfillTest : public SqliteTest {
 protected:
  void Start() {
    CreateUsers(kRows);
    auto started =
        Tandem({"start", "--skip-backfill", WriteMigration("01_name.yaml", kUsersNameNotNull)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
  long long Marked() {
    return std::stoll(Scalar("SELECT count(*) FROM users WHERE _tandem_written_by IS NOT NULL"));
  }
};

TEST_F(SqliteBackfillTest, KilledBackfillResumes) {
  Start();
  ASSERT_EQ(Marked(), 0);
  int code = 0;
  // A global option before the command: other tests signal "tandem
  // backfill" processes by their command line, and must not find these.
  std::string pid_text = Capture("TANDEM_URL=" + ShellQuote(url_) + " " + TANDEM_BINARY +
                                     " -v backfill --batch-size 20 >/dev/null 2>&1 & echo $!",
                                 code);
  ASSERT_EQ(code, 0);
  pid_t pid = std::stoi(pid_text);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (Marked() < kRows / 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0) << "the backfill finished before it could be killed";
  while (kill(pid, 0) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  long long marked = Marked();
  EXPECT_GT(marked, 0);
  EXPECT_LT(marked, kRows);
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem_migrations"), "f");
  // Rows written meanwhile by the old version are synced by the trigger.
  Exec("UPDATE users SET name = NULL WHERE id = " + std::to_string(kRows));
  auto resumed = Tandem({"-v", "backfill"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(Marked(), kRows);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE _tandem_new_name IS NOT coalesce(name, "
                   "'anonymous')"),
            "0");
  auto verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  ASSERT_EQ(Tandem({"complete"}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'anonymous'"),
            std::to_string(kRows / 3 + 1));
}

TEST_F(SqliteBackfillTest, WritesThroughBothVersionsDuringTheBackfillKeepParity) {
  Start();
  std::atomic<bool> done{false};
  std::atomic<int> writes{0};
  std::string failure;
  // The application: old and new version writing while the backfill runs,
  // each write its own transaction that waits for the backfill's chunk.
  std::thread app([&] {
    for (int i = 1; !done && failure.empty(); ++i) {
      std::string id = std::to_string(1 + (i * 7919) % kRows);
      Status status =
          i % 2 == 0 ? conn_->Execute("UPDATE users SET name = NULL WHERE id = " + id)
                     : conn_->Execute("UPDATE users__01_name SET name = 'new " + id +
                                      "' WHERE id = " + std::to_string(kRows + 1 - std::stoi(id)));
      if (!status.ok()) failure = status.message();
      if (i % 3 == 0) {
        status = conn_->Execute("INSERT INTO users (name) VALUES (NULL)");
        if (!status.ok()) failure = status.message();
      }
      writes++;
      // An application pauses between writes; one that never does would
      // keep the single write lock from the backfill instead.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  auto backfill = Tandem({"-v", "backfill", "--batch-size", "2000"});
  done = true;
  app.join();
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
  EXPECT_GT(writes.load(), 10);
  auto verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("parity 100.0000%"), std::string::npos) << verify.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE _tandem_written_by IS NULL"), "0");
}

TEST_F(SqliteBackfillTest, PauseAndResumeFromAnotherProcess) {
  Start();
  ASSERT_EQ(Tandem({"pause"}).exit_code, 0);
  int code = 0;
  std::string pid_text = Capture("TANDEM_URL=" + ShellQuote(url_) + " " + TANDEM_BINARY +
                                     " -v backfill >/dev/null 2>&1 & echo $!",
                                 code);
  pid_t pid = std::stoi(pid_text);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Marked(), 0) << "the paused backfill ran";
  ASSERT_EQ(Tandem({"resume"}).exit_code, 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Marked(), kRows);
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem_migrations"), "t");
}

TEST_F(SqliteBackfillTest, ServerThrottlesAreRefusedAndTheRateCapHolds) {
  Start();
  auto refused = Tandem({"backfill", "--max-active-sessions", "5", "--max-replica-lag", "1s"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("max_replica_lag, max_active_sessions"), std::string::npos)
      << refused.err;
  EXPECT_EQ(Marked(), 0) << "a refused backfill wrote";
  // 200,000 rows at 40,000 rows/s take about 5 s; unthrottled well under 2 s.
  auto started = std::chrono::steady_clock::now();
  auto capped = Tandem({"backfill", "--max-rows-per-second", "40000"});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(capped.exit_code, 0) << capped.out << capped.err;
  EXPECT_EQ(Marked(), kRows);
  EXPECT_GT(seconds, 3.5) << "the rate cap did not hold the backfill";
}

// `up` fails on one row (abs() of the smallest integer overflows): the
// backfill stops naming its rowid, keeps every row before it, and finishes
// once the row is fixed.
TEST_F(SqliteBackfillTest, UpFailingOnOneRowNamesItAndResumesAfterTheFix) {
  Exec(
      "CREATE TABLE accounts (id INTEGER PRIMARY KEY, delta INTEGER); WITH RECURSIVE g(i) AS "
      "(SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 50000) INSERT INTO accounts (delta) "
      "SELECT CASE WHEN i = 30001 THEN -9223372036854775807 - 1 ELSE -i END FROM g");
  auto started = Tandem({"start", "--skip-backfill", WriteMigration("01_magnitude.yaml", R"y(
operations:
  - add_column:
      table: accounts
      up: abs(delta)
      column: {name: magnitude, type: INTEGER, nullable: true}
)y")});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto marked = [&] {
    return Scalar("SELECT count(*) FROM accounts WHERE _tandem_written_by IS NOT NULL");
  };
  auto failed = Tandem({"backfill"});
  EXPECT_EQ(failed.exit_code, 3) << failed.out << failed.err;
  EXPECT_NE(failed.err.find("rowid 30001"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("integer overflow"), std::string::npos) << failed.err;
  EXPECT_EQ(marked(), "30000") << "the rows before the failing one were not all kept";
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem_migrations"), "f");
  // The application fixes the row through the old version; the trigger fills it.
  Exec("UPDATE accounts SET delta = 0 WHERE id = 30001");
  auto resumed = Tandem({"backfill"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(marked(), "50000");
  EXPECT_EQ(Scalar("SELECT count(*) FROM accounts WHERE magnitude IS NOT abs(delta)"), "0");
  auto verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// An empty table is backfilled, and verified by `complete`, without
// evaluating `up`, which overflows whatever row it runs on.
TEST_F(SqliteBackfillTest, EmptyTableFinishesAndVerifiesWithoutEvaluatingUp) {
  Exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, delta INTEGER)");
  auto started = Tandem({"start", WriteMigration("01_magnitude.yaml", R"y(
operations:
  - add_column:
      table: accounts
      up: abs(-9223372036854775807 - 1)
      column: {name: magnitude, type: INTEGER, nullable: false}
)y")});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem_migrations"), "t");
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_NE(completed.out.find("verifying now"), std::string::npos) << completed.out;
  EXPECT_NE(completed.out.find("(0 rows"), std::string::npos) << completed.out;
  EXPECT_EQ(Scalar("SELECT \"notnull\" FROM pragma_table_info('accounts') WHERE name = "
                   "'magnitude'"),
            "1");
}

// Values are computed on one connection and stored on another: each keeps
// the type `up` gave it. A real keeps its last digit, an integer stays an
// integer and a blob a blob in columns without affinity.
TEST_F(SqliteBackfillTest, ComputedValuesKeepTheirTypes) {
  Exec(
      "CREATE TABLE measures (id INTEGER PRIMARY KEY, x REAL, label TEXT); WITH RECURSIVE g(i) "
      "AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 20000) INSERT INTO measures (x, "
      "label) SELECT i / 7.0, 'm' || i FROM g");
  auto started = Tandem({"start", "--skip-backfill", WriteMigration("01_derived.yaml", R"y(
operations:
  - add_column:
      table: measures
      up: x / 3.0
      column: {name: third, type: REAL, nullable: true}
  - add_column:
      table: measures
      up: id * 7
      column: {name: seven, type: BLOB, nullable: true}
  - add_column:
      table: measures
      up: CAST(label AS BLOB)
      column: {name: raw, type: BLOB, nullable: true}
)y")});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto backfill = Tandem({"backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM measures WHERE third IS NOT x / 3.0 OR "
                   "typeof(seven) <> 'integer' OR seven IS NOT id * 7 OR "
                   "typeof(raw) <> 'blob' OR raw IS NOT CAST(label AS "
                   "BLOB)"),
            "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM measures WHERE _tandem_written_by IS NULL"), "0");
  auto verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(SqliteBackfillTest, CompleteRefusedBeforeBackfill) {
  Start();
  auto completed = Tandem({"complete"});
  EXPECT_EQ(completed.exit_code, 1) << completed.out << completed.err;
  EXPECT_NE(completed.err.find("backfill"), std::string::npos) << completed.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name = "
                   "'_tandem_new_name'"),
            "1");
}

}  // namespace
}  // namespace tandem::testing
