// The lifecycle on SQLite through the CLI: both versions write while the
// migration is in progress, verify sees their writes, status and history
// report it, and a second runner is turned away.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "sqlite/sqlite_fixture.h"
#include "support/verify_text.h"

namespace tandem::testing {
namespace {

constexpr char kUsers[] = R"sql(
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age TEXT, email TEXT DEFAULT 'none');
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 1000)
INSERT INTO users (name, age) SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'user ' || i END,
  CAST(i % 90 AS TEXT) FROM g;
)sql";

constexpr char kMigration[] = R"y(operations:
  - alter_column:
      table: users
      column: name
      nullable: false
      up: SELECT CASE WHEN name IS NULL THEN 'anonymous' ELSE name END
      down: name
  - alter_column:
      table: users
      column: age
      type: INTEGER
      nullable: false
      up: coalesce(CAST(age AS INTEGER), 0)
      down: CAST(age AS TEXT)
verify:
  invariants:
    - {name: age_not_negative, table: users, check: age >= 0}
)y";

class SqliteLifecycleTest : public SqliteTest {
 protected:
  void Start() {
    Exec(kUsers);
    file_ = WriteMigration("02_users.yaml", kMigration);
    auto started = Tandem({"start", file_});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
  std::string file_;
};

TEST_F(SqliteLifecycleTest, BothVersionsWriteAndVerifyPasses) {
  Start();
  // Old version: the base table, name may be NULL, age is text.
  Exec("INSERT INTO users (name, age) VALUES (NULL, '41')");
  Exec("UPDATE users SET age = '12' WHERE id = 2");
  // New version: the view users__02_users.
  Exec("INSERT INTO users__02_users (name, age) VALUES ('grace', 36)");
  Exec("UPDATE users__02_users SET name = 'ada', age = 7 WHERE id = 4");
  Exec("DELETE FROM users__02_users WHERE id = 5");
  EXPECT_EQ(Scalar("SELECT name || '/' || age FROM users__02_users WHERE id = 1001"),
            "anonymous/41");
  EXPECT_EQ(Scalar("SELECT typeof(age) FROM users__02_users WHERE id = 2"), "integer");
  EXPECT_EQ(Scalar("SELECT name || '/' || typeof(age) FROM users WHERE id = 1002"), "grace/text");
  EXPECT_EQ(Scalar("SELECT name || '/' || age FROM users WHERE id = 4"), "ada/7");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE id = 5"), "0");
  // The new version refuses what the new shape forbids; the old one does not.
  EXPECT_FALSE(conn_->Execute("INSERT INTO users__02_users (name, age) VALUES (NULL, 1)").ok());
  auto verify = Tandem({"verify", "--json"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("\"parity_percent\":100"), std::string::npos) << verify.out;
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_EQ(Scalar("SELECT name || '/' || age FROM users WHERE id = 1001"), "anonymous/41");
  EXPECT_EQ(Scalar("SELECT name || '/' || age FROM users WHERE id = 1002"), "grace/36");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL OR typeof(age) <> 'integer'"),
            "0");
  // The version's view stays usable after complete.
  Exec("INSERT INTO users__02_users (name, age) VALUES ('after', 1)");
  EXPECT_EQ(Scalar("SELECT email FROM users WHERE name = 'after'"), "none");
}

TEST_F(SqliteLifecycleTest, VerifyFindsRowsThatDisagree) {
  Start();
  // Bypass the triggers' guard: a row whose new column disagrees with up.
  Exec("DROP TRIGGER _tandem_up_update_users");
  Exec("UPDATE users SET _tandem_new_name = 'wrong' WHERE id = 3");
  auto verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("3"), std::string::npos) << verify.out;
  auto completed = Tandem({"complete"});
  EXPECT_EQ(completed.exit_code, 1) << completed.out << completed.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name = "
                   "'_tandem_new_name'"),
            "1");
}

// Each defect is counted in its own check: new columns emptied behind the
// triggers' back (up parity and NULL drift), and a row the new version
// wrote whose old column disagrees with `down`.
TEST_F(SqliteLifecycleTest, VerifyCountsDriftAndBothDirections) {
  Start();
  Exec("DROP TRIGGER _tandem_up_update_users");
  // 200 rows with a name (ids up to 300 not divisible by 3) lose their new name.
  Exec("UPDATE users SET _tandem_new_name = NULL WHERE id <= 300 AND id % 3 <> 0");
  // Row 500 as if the new version wrote it, with an old age down() cannot give.
  Exec("UPDATE users SET _tandem_written_by = 'n', age = '999' WHERE id = 500");
  auto verify = Tandem({"verify", "--json"});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  const std::string& json = verify.out;
  EXPECT_NE(json.find(R"("column":"_tandem_new_name","direction":"up")"), std::string::npos);
  EXPECT_NE(json.find(R"("mismatches":200)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("column":"_tandem_new_name","default_ratio":0.0,"default_value":"",)"
                      R"("expected_default_ratio":0.0,"expected_null_ratio":0.0,"flagged":true,)"
                      R"("null_ratio":0.2)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("checked":1,"column":"age","direction":"down","example_keys":["500"])"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("flag_names":["parity_mismatch","drift"])"), std::string::npos) << json;
}

// Before the backfill has finished, verify says so (flag 32, exit 1)
// instead of failing the rows it has not reached.
TEST_F(SqliteLifecycleTest, VerifyBeforeTheBackfillFinishedSaysSo) {
  Exec(kUsers);
  file_ = WriteMigration("02_users.yaml", kMigration);
  auto started = Tandem({"start", "--skip-backfill", file_});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto json = Tandem({"verify", "--json"});
  EXPECT_EQ(json.exit_code, 1) << json.out << json.err;
  EXPECT_NE(json.out.find(R"("flag_names":["backfill_unfinished"],"flags":32)"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find(R"("not_backfilled":1000)"), std::string::npos) << json.out;
  ExpectBackfillNotFinished(Tandem({"verify"}), 1000);
  auto backfill = Tandem({"backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
  auto verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(SqliteLifecycleTest, StatusAndHistory) {
  Start();
  auto status = Tandem({"status", "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\"phase\":\"active\""), std::string::npos) << status.out;
  ASSERT_EQ(Tandem({"complete"}).exit_code, 0);
  auto history = Tandem({"history"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("02_users"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("completed"), std::string::npos) << history.out;
  // Starting the same file again is a no-op.
  auto again = Tandem({"start", file_});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already completed"), std::string::npos) << again.out;
}

TEST_F(SqliteLifecycleTest, SecondRunnerIsToldWhoHoldsTheLock) {
  Exec(kUsers);
  std::string lock = path_ + "-tandem.lock";
  int fd = open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  std::string holder = "pid 4242 (user someone on host elsewhere, since earlier)\n";
  ASSERT_EQ(write(fd, holder.data(), holder.size()), static_cast<ssize_t>(holder.size()));
  std::string schema = Schema();
  auto started = Tandem({"start", WriteMigration("02_users.yaml", kMigration)});
  close(fd);
  EXPECT_EQ(started.exit_code, 3) << started.out << started.err;
  EXPECT_NE(started.err.find("pid 4242"), std::string::npos) << started.err;
  EXPECT_EQ(Schema(), schema);
}

// The lock belongs to the database file, whatever name a runner uses for it.
TEST_F(SqliteLifecycleTest, RunnerThroughAnotherNameOfTheFileIsRefused) {
  Exec(kUsers);
  auto started = Tandem({"start", "--skip-backfill", WriteMigration("02_users.yaml", kMigration)});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  ASSERT_EQ(Tandem({"pause"}).exit_code, 0);
  int holder = SpawnTandem(url_, {"backfill"});  // waits, paused, holding the lock
  std::string lock = std::filesystem::canonical(path_).string() + "-tandem.lock";
  std::string pid = "pid " + std::to_string(holder) + " ";
  for (int i = 0; i < 500 && ReadFile(lock).find(pid) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(ReadFile(lock).find(pid), std::string::npos) << ReadFile(lock);
  std::string symlink = path_ + ".symlink";
  std::string hardlink = TempDir() + "/elsewhere/" + "hardlink.db";
  std::filesystem::remove(symlink);
  std::filesystem::remove_all(TempDir() + "/elsewhere");
  std::filesystem::create_directory(TempDir() + "/elsewhere");
  std::filesystem::create_symlink(path_, symlink);
  std::filesystem::create_hard_link(path_, hardlink);
  std::string schema = Schema();
  for (const auto& other : {symlink, hardlink}) {
    auto second = RunTandem("sqlite:" + other, {"rollback"});
    EXPECT_EQ(second.exit_code, 3) << other << "\n" << second.out << second.err;
    EXPECT_NE(second.err.find(pid), std::string::npos) << other << "\n" << second.err;
    EXPECT_EQ(Schema(), schema) << other;
  }
  kill(holder, SIGTERM);
  WaitTandem(holder);
  std::filesystem::remove(symlink);
  std::filesystem::remove_all(TempDir() + "/elsewhere");
}

TEST_F(SqliteLifecycleTest, MigrateDirectoryCompletesAllButTheLast) {
  Exec(kUsers);
  std::string first = WriteMigration("01_nick.yaml", R"y(operations:
  - add_column:
      table: users
      column: {name: nickname, type: TEXT, nullable: true}
)y");
  std::string dir = first.substr(0, first.rfind('/'));
  std::string second = dir + "/02_users.yaml";
  {
    std::string copy =
        "cp " + ShellQuote(WriteMigration("x.yaml", kMigration)) + " " + ShellQuote(second);
    int code = 0;
    Capture(copy, code);
    ASSERT_EQ(code, 0);
  }
  auto migrated = Tandem({"migrate", dir});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.out << migrated.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'nickname'"), "1");
  auto status = Tandem({"status", "--json"});
  EXPECT_NE(status.out.find("02_users"), std::string::npos) << status.out;
  ASSERT_EQ(Tandem({"complete"}).exit_code, 0);
  // The first version's views went with the second's complete.
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'users__01_nick'"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'users__02_users'"), "1");
}

}  // namespace
}  // namespace tandem::testing
