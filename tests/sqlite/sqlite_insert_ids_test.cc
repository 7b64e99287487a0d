// What an application's driver gets back from an INSERT through the new
// version. Where the migration only adds columns SQLite can add under their
// real names, the new version uses the table itself, so the row id, the
// change count and RETURNING are real, during the migration and after
// complete, while the old version's writes still get `up`. Elsewhere the
// new version is a view, which SQLite runs as an INSTEAD OF trigger: no row
// id, no change count, NULL from RETURNING. `plan` says so, and the ways
// around it that README gives work: read the id back by a unique key, or
// insert into the table once `complete` has run.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>

#include "sqlite/sqlite_fixture.h"
#include "support/migration_yaml.h"

namespace tandem::testing {
namespace {

// The calls a driver makes, on a handle of its own.
class Driver {
 public:
  explicit Driver(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~Driver() { sqlite3_close(db_); }
  // Runs `sql` to the end; the first column of its last row, "NULL" for
  // none, "" for no row.
  std::string Run(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
    std::string value;
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(statement, 0);
      value = text ? reinterpret_cast<const char*>(text) : "NULL";
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db_) << "\n" << sql;
    sqlite3_finalize(statement);
    return value;
  }
  long long LastInsertRowid() { return sqlite3_last_insert_rowid(db_); }
  int Changes() { return sqlite3_changes(db_); }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteInsertIdsTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT); "
        "INSERT INTO users (email, name) VALUES ('ada@example.com', 'ada')");
    // A rename changes the table's shape: the new version needs the view.
    file_ = WriteMigration("02_nick.yaml", R"y(operations:
  - rename_column: {table: users, from: name, to: nickname}
)y");
  }
  std::string file_;
};

TEST_F(SqliteInsertIdsTest, PlanSaysWhatAnInsertThroughTheViewReturns) {
  auto planned = Tandem({"plan", file_});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_NE(planned.out.find("users: the new version uses the view users__02_nick"),
            std::string::npos)
      << planned.out;
  EXPECT_NE(planned.out.find("users__02_nick is a view"), std::string::npos) << planned.out;
  EXPECT_NE(planned.out.find("sqlite3_last_insert_rowid()"), std::string::npos) << planned.out;
  EXPECT_NE(planned.out.find("read the id back by a unique key"), std::string::npos) << planned.out;
}

TEST_F(SqliteInsertIdsTest, InsertThroughTheViewReturnsNoIdAndTheWaysAroundIt) {
  auto started = Tandem({"start", file_});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  Driver app(path_);
  app.Run("INSERT INTO users (email) VALUES ('old@example.com')");
  ASSERT_EQ(app.LastInsertRowid(), 2);
  ASSERT_EQ(app.Changes(), 1);
  // Through the view: the previous insert's id stays, nothing is counted.
  app.Run("INSERT INTO users__02_nick (email, nickname) VALUES ('new@example.com', 'n')");
  EXPECT_EQ(app.LastInsertRowid(), 2);
  EXPECT_EQ(app.Changes(), 0);
  EXPECT_EQ(app.Run("INSERT INTO users__02_nick (email) VALUES ('ret@example.com') RETURNING id"),
            "NULL");
  // The row is there, and its id can be read back by its unique key.
  EXPECT_EQ(app.Run("SELECT id FROM users__02_nick WHERE email = 'new@example.com'"), "3");
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  // The view stays after complete and still returns no id; the table does.
  app.Run("INSERT INTO users__02_nick (email) VALUES ('after@example.com')");
  EXPECT_EQ(app.Changes(), 0);
  EXPECT_EQ(app.Run("INSERT INTO users (email, nickname) VALUES ('t@example.com', 't') "
                    "RETURNING id"),
            "6");
  EXPECT_EQ(app.LastInsertRowid(), 6);
  EXPECT_EQ(app.Changes(), 1);
}

// Adds a nickname that `up` derives from the name: a column SQLite adds
// under its real name, so both versions use the table itself.
const std::string kAddNicknameFromName =
    AddColumnMigration("users", "nickname", "TEXT", "upper(name)");

class SqliteAddOnlyInsertIdsTest : public SqliteInsertIdsTest {
 protected:
  void SetUpDatabase() override {
    SqliteInsertIdsTest::SetUpDatabase();
    if (HasFatalFailure()) return;
    file_ = WriteMigration("03_nick.yaml", kAddNicknameFromName);
  }
  std::string Nickname(int id) {
    return Scalar("SELECT coalesce(nickname, 'NULL') FROM users WHERE id = " + std::to_string(id));
  }
};

TEST_F(SqliteAddOnlyInsertIdsTest, PlanAndStatusSayTheNewVersionUsesTheTable) {
  auto planned = Tandem({"plan", file_});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_NE(planned.out.find("users: the new version uses the table users itself"),
            std::string::npos)
      << planned.out;
  EXPECT_EQ(planned.out.find("users__03_nick is a view"), std::string::npos) << planned.out;
  EXPECT_NE(planned.out.find("ADD COLUMN \"nickname\" TEXT"), std::string::npos) << planned.out;
  auto started = Tandem({"start", file_});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto status = Tandem({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("users: the new version uses the table users itself"),
            std::string::npos)
      << status.out;
}

TEST_F(SqliteAddOnlyInsertIdsTest, BothVersionsWriteTheTableAndTheNewOneGetsItsIds) {
  auto started = Tandem({"start", "--skip-backfill", file_});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  Driver app(path_);
  // The triggers tell their own writes apart without relying on this off.
  app.Run("PRAGMA recursive_triggers = ON");
  // The new version, on the table: the row's id, counted, its own value kept.
  EXPECT_EQ(app.Run("INSERT INTO users (email, name, nickname) VALUES ('neo@example.com', 'neo', "
                    "'The One') RETURNING id"),
            "2");
  EXPECT_EQ(app.LastInsertRowid(), 2);
  EXPECT_EQ(app.Changes(), 1);
  EXPECT_EQ(Nickname(2), "The One");
  // The old version, which names no nickname: its rows get `up`.
  app.Run("INSERT INTO users (email, name) VALUES ('olga@example.com', 'olga')");
  EXPECT_EQ(app.LastInsertRowid(), 3);
  EXPECT_EQ(app.Changes(), 1);
  EXPECT_EQ(Nickname(3), "OLGA");
  app.Run("UPDATE users SET name = 'olya' WHERE id = 3");
  EXPECT_EQ(app.Changes(), 1);
  EXPECT_EQ(Nickname(3), "OLYA");
  EXPECT_EQ(Scalar("SELECT _tandem_written_by FROM users WHERE id = 3"), "o");
  // A value the new version set stays when the old version updates the row,
  // also on a row the backfill has not reached yet.
  app.Run("UPDATE users SET name = 'neon' WHERE id = 2");
  EXPECT_EQ(Nickname(2), "The One");
  app.Run("UPDATE users SET nickname = 'Countess' WHERE id = 1");
  EXPECT_EQ(app.Changes(), 1);
  app.Run("UPDATE users SET name = 'ada lovelace' WHERE id = 1");
  EXPECT_EQ(Nickname(1), "Countess");
  // The backfill leaves every row the application wrote as it is.
  app.Run("INSERT INTO users (email, name) VALUES ('bob@example.com', 'bob')");
  auto backfilled = Tandem({"backfill"});
  ASSERT_EQ(backfilled.exit_code, 0) << backfilled.out << backfilled.err;
  EXPECT_EQ(Nickname(1), "Countess");
  EXPECT_EQ(Nickname(2), "The One");
  EXPECT_EQ(Nickname(4), "BOB");
  auto verified = Tandem({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_EQ(app.Run("INSERT INTO users (email, nickname) VALUES ('eve@example.com', 'E') "
                    "RETURNING id"),
            "5");
  EXPECT_EQ(app.LastInsertRowid(), 5);
  EXPECT_EQ(app.Changes(), 1);
  EXPECT_EQ(Scalar("SELECT group_concat(nickname, ',') FROM (SELECT nickname FROM users ORDER BY "
                   "id)"),
            "Countess,The One,OLYA,BOB,E");
  // The view stays for applications that name the version, without ids.
  app.Run("INSERT INTO users__03_nick (email) VALUES ('view@example.com')");
  EXPECT_EQ(app.Changes(), 0);
}

TEST_F(SqliteAddOnlyInsertIdsTest, RollbackLeavesTheTableAsItWas) {
  std::string before = Schema();
  auto started = Tandem({"start", file_});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  Driver app(path_);
  app.Run("INSERT INTO users (email, name, nickname) VALUES ('neo@example.com', 'neo', 'N')");
  app.Run("INSERT INTO users (email, name) VALUES ('olga@example.com', 'olga')");
  auto rolled_back = Tandem({"rollback"});
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_EQ(Schema(), before);
  EXPECT_EQ(Rows("users"),
            "1|ada@example.com|ada|\n2|neo@example.com|neo|\n3|olga@example.com|olga|\n");
}

}  // namespace
}  // namespace tandem::testing
