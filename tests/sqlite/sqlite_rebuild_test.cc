// The table rebuild at `complete` keeps what the table's columns had:
// expression defaults such as DEFAULT (datetime('now')), which SQLite
// reports without their parentheses, and those a migration gives.
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kUsers[] = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  attempts INTEGER DEFAULT (1 + 1),
  source TEXT DEFAULT 'app',
  day TEXT
);
INSERT INTO users (name) VALUES ('ada'), (NULL);
)sql";

// Appended to kUsersNameNotNull: a default that is an expression.
constexpr char kDayDefault[] = R"y(  - alter_column:
      table: users
      column: day
      default: "date('now', 'start of month')"
      up: day
      down: day
)y";

class SqliteRebuildTest : public SqliteTest {
 protected:
  void SetUpDatabase() override { Exec(kUsers); }
};

TEST_F(SqliteRebuildTest, ExpressionDefaultsSurviveTheRebuild) {
  auto started = Tandem(
      {"start", WriteMigration("02_name.yaml", std::string(kUsersNameNotNull) + kDayDefault)});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  // The new version's view fills an omitted column with the same default.
  Exec("INSERT INTO users__02_name (name) VALUES ('view')");
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  Exec("INSERT INTO users (name) VALUES ('table')");
  for (const char* name : {"view", "table"}) {
    std::string where = std::string(" FROM users WHERE name = '") + name + "'";
    EXPECT_EQ(Scalar("SELECT created_at = datetime(created_at)" + where), "1") << name;
    EXPECT_EQ(Scalar("SELECT attempts" + where), "2") << name;
    EXPECT_EQ(Scalar("SELECT source" + where), "app") << name;
    EXPECT_EQ(Scalar("SELECT day = date('now', 'start of month')" + where), "1") << name;
  }
  EXPECT_EQ(Scalar("SELECT dflt_value FROM pragma_table_info('users') WHERE name = 'created_at'"),
            "datetime('now')");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'anonymous'"), "1");
}

}  // namespace
}  // namespace tandem::testing
