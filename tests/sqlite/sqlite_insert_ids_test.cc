// What an application's driver gets back from an INSERT through the new
// version's view, which SQLite runs as an INSTEAD OF trigger: no row id, no
// change count, NULL from RETURNING. `plan` says so, and the ways around it
// that README gives work: read the id back by a unique key, or insert into
// the table once `complete` has run.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>

#include "sqlite/sqlite_fixture.h"

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
  void SetUp() override {
    SqliteTest::SetUp();
    Exec(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT); "
        "INSERT INTO users (email, name) VALUES ('ada@example.com', 'ada')");
    file_ = WriteMigration("02_nick.yaml", kUsersAddNickname);
  }
  std::string file_;
};

TEST_F(SqliteInsertIdsTest, PlanSaysWhatAnInsertThroughTheViewReturns) {
  auto planned = Tandem({"plan", file_});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
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

}  // namespace
}  // namespace tandem::testing
