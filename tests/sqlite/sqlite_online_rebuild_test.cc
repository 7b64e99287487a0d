// complete's table rebuild on SQLite runs online: the final table is
// filled beside the live one in short transactions while both versions
// write, then takes its place in one short swap. A kill -9 during the copy
// or while the old rows are dropped leaves a whole database that both
// versions can use, and the next command finishes or undoes the work
// without losing a write; the swap commits with the event that records it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

constexpr int kRows = 100000;
constexpr char kVersionView[] = "users__01_name";

class SqliteOnlineRebuildTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(kRows);
    Exec("CREATE INDEX users_name ON users (name)");
  }
  void Start() {
    auto started = Tandem({"start", WriteMigration("01_name.yaml", kUsersNameNotNull)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
  // -1 when the query fails (e.g. the table does not exist (yet)).
  long long Count(const std::string& table) {
    auto result = conn_->Query("SELECT count(*) FROM " + table);
    if (!result.ok()) return -1;
    return std::stoll(result->Scalar().value_or("-1"));
  }
  bool WaitUntil(const std::function<bool()>& reached) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!reached()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }
  // Starts a slow `complete` (small chunks) and kills it with SIGKILL once
  // `reached` holds.
  void KillCompleteWhen(const std::function<bool()>& reached) {
    int pid = SpawnTandem(url_, {"-v", "complete", "--batch-size", "100"});
    bool got_there = WaitUntil(reached);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    WaitTandem(pid);
    ASSERT_TRUE(got_there) << "complete never reached the point to kill it at";
  }
  void ExpectIntact() { EXPECT_EQ(Scalar("PRAGMA integrity_check"), "ok"); }
  void ExpectNothingLeftBehind() {
    EXPECT_EQ(Scalar("SELECT group_concat(name) FROM sqlite_schema WHERE name LIKE "
                     "'\\_tandem\\_%' ESCAPE '\\'"),
              "NULL");
  }
  // Runs tandem with `args` while the application writes `round(i)`, round
  // after round, each statement its own transaction; the rounds written
  // while it ran. `failure` names the first statement that failed.
  int WriteDuring(const std::vector<std::string>& args,
                  const std::function<std::vector<std::string>(int)>& round, CommandResult& result,
                  std::string& failure) {
    std::atomic<bool> done{false};
    std::atomic<int> rounds{0};
    std::thread app([&] {
      for (int i = 1; !done && failure.empty(); ++i) {
        for (const std::string& sql : round(i)) {
          Status status = conn_->Execute(sql);
          if (!status.ok()) failure = sql + ": " + status.message();
        }
        rounds++;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    result = Tandem(args);
    done = true;
    app.join();
    return rounds.load();
  }
};

TEST_F(SqliteOnlineRebuildTest, WritesOfBothVersionsDuringTheCopyAllReachTheFinalTable) {
  Start();
  // Each round: an insert through each version, an update through each
  // and a delete.
  CommandResult completed;
  std::string failure;
  int r = WriteDuring(
      {"-v", "complete", "--batch-size", "500"},
      [](int i) {
        std::string n = std::to_string(i);
        return std::vector<std::string>{
            "INSERT INTO users (name) VALUES ('old " + n + "')",
            std::string("INSERT INTO ") + kVersionView + " (name) VALUES ('new " + n + "')",
            "UPDATE users SET name = 'old update' WHERE id = " + std::to_string(i * 3),
            std::string("UPDATE ") + kVersionView +
                " SET name = 'new update' WHERE id = " + std::to_string(i * 3 + 1),
            "DELETE FROM users WHERE id = " + std::to_string(i * 3 + 2)};
      },
      completed, failure);
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  ASSERT_GT(r, 20) << "the application hardly wrote during complete";
  EXPECT_EQ(Count("users"), kRows + r);  // two inserts and one delete a round
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name LIKE 'old %' AND name <> 'old update'"),
            std::to_string(r));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name LIKE 'new %' AND name <> 'new update'"),
            std::to_string(r));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'old update'"), std::to_string(r));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'new update'"), std::to_string(r));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE id % 3 = 2 AND id > 2 AND id <= " +
                   std::to_string(3 * r + 2) + " AND id <= " + std::to_string(kRows)),
            "0");
  // The final shape, its index under its own name, nothing of the rebuild left.
  EXPECT_EQ(Scalar("SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'name'"), "1");
  EXPECT_EQ(Scalar("SELECT sql FROM sqlite_schema WHERE name = 'users_name'"),
            "CREATE INDEX users_name ON users (name)");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users INDEXED BY users_name WHERE name = 'anonymous'"),
            Scalar("SELECT count(*) FROM users NOT INDEXED WHERE name = 'anonymous'"));
  ExpectNothingLeftBehind();
  ExpectIntact();
}

TEST_F(SqliteOnlineRebuildTest, KillNineDuringTheCopyLeavesBothVersionsWorkingAndResumes) {
  Start();
  KillCompleteWhen([&] { return Count("_tandem_rebuild_users") > kRows / 10; });
  long long copied = Count("_tandem_rebuild_users");
  EXPECT_LT(copied, kRows) << "the copy finished before the kill";
  ExpectIntact();
  // Both versions keep working on the half-copied database.
  Exec("INSERT INTO users (name) VALUES ('old after kill')");
  Exec(std::string("INSERT INTO ") + kVersionView + " (name) VALUES ('new after kill')");
  Exec("UPDATE users SET name = 'updated after kill' WHERE id = " + std::to_string(kRows - 1));
  Exec("DELETE FROM users WHERE id = " + std::to_string(kRows - 2));
  auto resumed = Tandem({"-v", "complete"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(Count("users"), kRows + 1);
  for (const char* name : {"old after kill", "new after kill", "updated after kill"}) {
    EXPECT_EQ(Scalar(std::string("SELECT count(*) FROM users WHERE name = '") + name + "'"), "1")
        << name;
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE id = " + std::to_string(kRows - 2)), "0");
  // Row kRows - 1 had no name (every third has none) until it was updated.
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'anonymous'"),
            std::to_string(kRows / 3 - 1));
  ExpectNothingLeftBehind();
  ExpectIntact();
}

TEST_F(SqliteOnlineRebuildTest, KillNineWhileTheOldRowsAreDroppedFinishesOnTheNextComplete) {
  Start();
  KillCompleteWhen([&] {
    long long left = Count("_tandem_retired_users");
    return left >= 0 && left < kRows - 1000;
  });
  ExpectIntact();
  // The swap is done: the table has its final shape, for both commands.
  EXPECT_EQ(Scalar("SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'name'"), "1");
  Exec(std::string("INSERT INTO ") + kVersionView + " (name) VALUES ('new after kill')");
  auto rollback = Tandem({"rollback"});
  EXPECT_EQ(rollback.exit_code, 1) << rollback.out << rollback.err;
  auto resumed = Tandem({"-v", "complete"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(Count("users"), kRows + 1);
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "completed");
  ExpectNothingLeftBehind();
  ExpectIntact();
}

TEST_F(SqliteOnlineRebuildTest, RollbackAfterAKillNineDuringTheCopyRestoresTheTable) {
  std::string schema = Schema();
  Start();
  KillCompleteWhen([&] { return Count("_tandem_rebuild_users") > kRows / 10; });
  Exec("UPDATE users SET name = 'kept' WHERE id = 7");
  std::string rows_before = Scalar(
      "SELECT group_concat(id || ':' || coalesce(name, ''))"
      " FROM (SELECT id, name FROM users ORDER BY id)");
  auto rolled_back = Tandem({"-v", "rollback"});
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(Scalar("SELECT group_concat(id || ':' || coalesce(name, ''))"
                   " FROM (SELECT id, name FROM users ORDER BY id)"),
            rows_before);
  ExpectIntact();
}

TEST_F(SqliteOnlineRebuildTest, RollbackTakesTheAddedColumnsAwayOnlineWhileTheOldVersionWrites) {
  std::string schema = Schema();
  Start();
  CommandResult rolled_back;
  std::string failure;
  int r = WriteDuring(
      {"-v", "rollback", "--batch-size", "500"},
      [](int i) {
        return std::vector<std::string>{
            "INSERT INTO users (name) VALUES ('during rollback')",
            "UPDATE users SET name = 'updated' WHERE id = " + std::to_string(i * 2)};
      },
      rolled_back, failure);
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_NE(rolled_back.out.find("rebuild users online without the columns"), std::string::npos)
      << rolled_back.out;
  ASSERT_GT(r, 20);
  // The table as it was before start, statement and index included.
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(Count("users"), kRows + r);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'during rollback'"), std::to_string(r));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'updated'"), std::to_string(r));
  ExpectNothingLeftBehind();
  ExpectIntact();
}

TEST_F(SqliteOnlineRebuildTest, RowsThatBreakTheFinalShapeAreNamedBeforeTheSwap) {
  // `up` leaves NULL names NULL: the final NOT NULL column cannot take them.
  std::string migration = kUsersNameNotNull;
  migration.replace(migration.find("coalesce(name, 'anonymous')"),
                    std::string("coalesce(name, 'anonymous')").size(), "name");
  auto started = Tandem({"start", WriteMigration("01_name.yaml", migration)});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  std::string schema = Schema();
  auto refused = Tandem({"complete"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("rowid 3: NOT NULL constraint failed: users.name; rowid 6:"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(Schema(), schema) << "a refused complete changed the schema";
  Exec("UPDATE users SET name = 'fixed' WHERE name IS NULL");
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'fixed'"), std::to_string(kRows / 3));
  ExpectIntact();
}

// The swap and the event that records it commit together: when the event
// cannot be written (here a trigger refuses it, as a kill -9 between the
// two would leave it unwritten), the swap does not happen either, and the
// next complete finishes with every write kept.
TEST_F(SqliteOnlineRebuildTest, TheSwapCommitsOnlyWithTheEventThatRecordsIt) {
  Start();
  Exec(
      "CREATE TRIGGER test_refuse_switch_event BEFORE INSERT ON tandem_events "
      "WHEN NEW.description LIKE 'switch:%' AND NEW.outcome = 'ok' "
      "BEGIN SELECT RAISE(FAIL, 'the switch event cannot be written'); END");
  auto failed = Tandem({"-v", "complete", "--batch-size", "5000"});
  ASSERT_NE(failed.exit_code, 0) << failed.out << failed.err;
  EXPECT_NE(failed.err.find("the switch event cannot be written"), std::string::npos) << failed.err;
  ExpectIntact();
  // Not swapped: the old shape, both versions writing.
  EXPECT_EQ(Count("_tandem_retired_users"), -1);
  EXPECT_EQ(Scalar("SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'name'"), "0");
  Exec("INSERT INTO users (name) VALUES ('old after the failed swap')");
  Exec(std::string("INSERT INTO ") + kVersionView + " (name) VALUES ('new after the failed swap')");
  Exec("DROP TRIGGER test_refuse_switch_event");
  auto resumed = Tandem({"-v", "complete"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "completed");
  EXPECT_EQ(Count("users"), kRows + 2);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name LIKE '% after the failed swap'"), "2");
  EXPECT_EQ(Scalar("SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'name'"), "1");
  ExpectNothingLeftBehind();
  ExpectIntact();
}

TEST_F(SqliteOnlineRebuildTest, KillNineRightAfterTheSwapCommitsResumes) {
  Start();
  // The retired table appears in the swap's transaction: killed as soon as
  // it is seen (waiting for it to be still full, before the drain's first
  // chunk, is a window a loaded machine can miss), the swap's event must
  // be there with it.
  KillCompleteWhen([&] { return Count("_tandem_retired_users") >= 0; });
  ExpectIntact();
  EXPECT_EQ(Scalar("SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'name'"), "1");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE description LIKE 'switch:%' AND "
                   "outcome = 'ok'"),
            "1");
  Exec(std::string("INSERT INTO ") + kVersionView + " (name) VALUES ('new after kill')");
  auto resumed = Tandem({"-v", "complete"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "completed");
  EXPECT_EQ(Count("users"), kRows + 1);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'new after kill'"), "1");
  ExpectNothingLeftBehind();
  ExpectIntact();
}

// `plan` states the writers' longest wait from a measurement: the swap's
// statements run on an in-memory copy of the schema, the database itself
// is left as it was.
TEST_F(SqliteOnlineRebuildTest, PlanMeasuresHowLongWritersWaitDuringTheRebuild) {
  std::string schema = Schema();
  auto planned = Tandem({"plan", WriteMigration("01_name.yaml", kUsersNameNotNull)});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_EQ(Schema(), schema) << "plan changed the database";
  const std::string kWait = "writers wait at most about ";
  const std::string kMeasured = "measured by plan: the swap's statements took ";
  size_t at = planned.out.find(kWait);
  ASSERT_NE(at, std::string::npos) << planned.out;
  long long estimate = std::stoll(planned.out.substr(at + kWait.size()));
  size_t measured = planned.out.find(kMeasured, at);
  ASSERT_NE(measured, std::string::npos) << planned.out;
  double swap_ms = std::stod(planned.out.substr(measured + kMeasured.size()));
  EXPECT_GT(swap_ms, 0.0);
  // At least a chunk's longest hold (twice SQLite's 10 ms target) and the
  // busy handler's next try after it.
  EXPECT_GE(estimate, 33);
  EXPECT_GE(static_cast<double>(estimate), swap_ms);
  // The steps say where the figure comes from.
  EXPECT_NE(planned.out.find("a short swap blocks writers (plan measures how long)"),
            std::string::npos)
      << planned.out;
}

}  // namespace
}  // namespace tandem::testing
