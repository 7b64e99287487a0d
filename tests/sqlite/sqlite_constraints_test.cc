// Constraints on SQLite, which can neither add nor drop one without a table
// rebuild: both versions write while a constraint is being added, the new
// version is refused a write that breaks it, rows that break it stop
// `complete` before anything changes, and the rebuild keeps what the table
// had (CHECKs, COLLATE, indexes as written).
#include <gtest/gtest.h>

#include "common/strings.h"
#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kSetup[] = R"sql(
CREATE TABLE teams (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT COLLATE NOCASE CHECK (name <> ''),
  age INTEGER,
  team_id INTEGER
);
CREATE INDEX users_name_lower ON users (lower(name) DESC) WHERE age > 0;
INSERT INTO teams (id, title) VALUES (1, 'red'), (2, 'blue');
INSERT INTO users (name, age, team_id) VALUES ('ada', 36, 1), ('bob', 7, 2), (NULL, 0, NULL);
)sql";

constexpr char kCheck[] = R"y(operations:
  - create_constraint:
      name: age_adult
      table: users
      type: check
      columns: [age]
      check: age >= 18
      up: {age: "CASE WHEN age < 18 THEN 18 ELSE age END"}
      down: {age: age}
)y";

constexpr char kForeignKey[] = R"y(operations:
  - create_constraint:
      name: users_team_fk
      table: users
      type: foreign_key
      columns: [team_id]
      references: {table: teams, columns: [id]}
      up: {team_id: team_id}
      down: {team_id: team_id}
)y";

constexpr char kUnique[] = R"y(operations:
  - create_constraint:
      name: users_name_key
      table: users
      type: unique
      columns: [name]
      up: {name: name}
      down: {name: name}
)y";

class SqliteConstraintTest : public SqliteTest {
 protected:
  void SetUpDatabase() override { Exec(kSetup); }
  CommandResult Start(const std::string& name, const char* migration) {
    return Tandem({"start", WriteMigration(name + ".yaml", migration)});
  }
  void ExpectRefused(const std::string& sql, const std::string& message) {
    Status status = conn_->Execute(sql);
    EXPECT_FALSE(status.ok()) << sql;
    EXPECT_NE(status.message().find(message), std::string::npos) << status.message();
  }
  // `complete` fails with `message` and leaves schema and rows as they were.
  void ExpectCompleteStops(const std::string& message) {
    std::string schema = Schema();
    std::string rows = Rows("users");
    auto completed = Tandem({"complete"});
    EXPECT_NE(completed.exit_code, 0);
    EXPECT_NE(completed.err.find(message), std::string::npos) << completed.out << completed.err;
    EXPECT_EQ(Schema(), schema);
    EXPECT_EQ(Rows("users"), rows);
  }
  void ExpectCompletes() {
    auto completed = Tandem({"complete"});
    ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  }
};

TEST_F(SqliteConstraintTest, CheckRefusesBadWritesThroughTheNewVersionUntilTheRebuildHasIt) {
  auto started = Start("02_adult", kCheck);
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  Exec("INSERT INTO users (name, age) VALUES ('old', 3)");  // old version: `up` fixes it
  Exec("INSERT INTO users__02_adult (name, age) VALUES ('new', 40)");
  ExpectRefused("INSERT INTO users__02_adult (name, age) VALUES ('kid', 4)",
                "CHECK constraint failed: age_adult");
  ExpectRefused("UPDATE users__02_adult SET age = 1 WHERE name = 'ada'",
                "CHECK constraint failed: age_adult");
  EXPECT_EQ(Scalar("SELECT age FROM users__02_adult WHERE name = 'old'"), "18");
  ExpectCompletes();
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE age >= 18"), "5");
  ExpectRefused("INSERT INTO users (name, age) VALUES ('kid', 4)", "age_adult");
  // What the table had survives the rebuild.
  ExpectRefused("INSERT INTO users (name, age) VALUES ('', 40)", "CHECK constraint failed");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'ADA'"), "1");
  EXPECT_EQ(Scalar("SELECT sql FROM sqlite_schema WHERE name = 'users_name_lower'"),
            "CREATE INDEX users_name_lower ON users (lower(name) DESC) WHERE age > 0");
}

TEST_F(SqliteConstraintTest, RowsThatBreakACheckStopCompleteAndCanBeFixed) {
  // The same check, with an `up` that leaves the young rows as they are.
  std::string strict = ReplaceAll(kCheck, "\"CASE WHEN age < 18 THEN 18 ELSE age END\"", "age");
  auto started = Start("02_adult", strict.c_str());
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  ExpectCompleteStops("CHECK constraint failed: age_adult");
  Exec("UPDATE users SET age = 18 WHERE age < 18");  // the old version fixes them
  ExpectCompletes();
  EXPECT_EQ(Scalar("SELECT min(age) FROM users"), "18");
}

TEST_F(SqliteConstraintTest, AfterCompleteStopsRollbackRestoresTheSchema) {
  Exec("UPDATE teams SET id = 5 WHERE id = 2");  // bob's team goes: his row breaks the key
  std::string schema = Schema();
  std::string rows = Rows("users");
  auto started = Start("02_fk", kForeignKey);
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  ExpectCompleteStops("FOREIGN KEY constraint failed");
  auto rolled_back = Tandem({"rollback"});
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(Rows("users"), rows);
}

TEST_F(SqliteConstraintTest, ForeignKeyRefusesDanglingWritesAndStopsCompleteOnDanglingRows) {
  auto started = Start("02_fk", kForeignKey);
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  Exec("INSERT INTO users__02_fk (name, age, team_id) VALUES ('eve', 20, 2)");
  Exec("INSERT INTO users__02_fk (name, age, team_id) VALUES ('nil', 20, NULL)");
  ExpectRefused("INSERT INTO users__02_fk (name, age, team_id) VALUES ('x', 1, 9)",
                "FOREIGN KEY constraint failed: users_team_fk");
  Exec("INSERT INTO users (name, age, team_id) VALUES ('old', 1, 9)");  // the old version may
  ExpectCompleteStops("FOREIGN KEY constraint failed");
  Exec("DELETE FROM users WHERE team_id = 9");
  ExpectCompletes();
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_foreign_key_list('users')"), "1");
}

TEST_F(SqliteConstraintTest, UniqueIsAnIndexInForceForBothVersions) {
  auto started = Start("02_unique", kUnique);
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  Exec("INSERT INTO users__02_unique (name, age) VALUES ('cy', 20)");
  ExpectRefused("INSERT INTO users__02_unique (name, age) VALUES ('ada', 1)", "UNIQUE");
  ExpectRefused("INSERT INTO users (name, age) VALUES ('bob', 1)", "UNIQUE");
  ExpectCompletes();
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_index_list('users') WHERE name = "
                   "'users_name_key' AND \"unique\" = 1"),
            "1");
  // The shadow column kept the column's collation, and so does the index.
  ExpectRefused("INSERT INTO users (name, age) VALUES ('ADA', 1)", "UNIQUE");
}

TEST_F(SqliteConstraintTest, UniqueOverDuplicatesFailsTheBackfillAndRollsBack) {
  Exec("INSERT INTO users (name, age) VALUES ('ada', 50)");
  std::string schema = Schema();
  auto started = Start("02_unique", kUnique);
  EXPECT_NE(started.exit_code, 0) << started.out << started.err;
  EXPECT_NE((started.out + started.err).find("UNIQUE constraint failed"), std::string::npos)
      << started.out << started.err;
  auto rolled_back = Tandem({"rollback"});
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_EQ(Schema(), schema);
}

TEST_F(SqliteConstraintTest, DroppedCheckStaysUntilCompleteThenGoes) {
  Exec(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, price INTEGER CONSTRAINT price_positive "
      "CHECK (price > 0))");
  constexpr char kDrop[] = R"y(operations:
  - drop_constraint: {table: items, column: price, name: price_positive, up: price, down: price}
)y";
  auto started = Start("02_free", kDrop);
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  ExpectRefused("INSERT INTO items__02_free (price) VALUES (0)",
                "CHECK constraint failed: price_positive");
  ExpectCompletes();
  Exec("INSERT INTO items (price) VALUES (0)");
  EXPECT_EQ(Scalar("SELECT count(*) FROM items"), "1");
}

TEST_F(SqliteConstraintTest, UnknownColumnIsBadInputAndChangesNothing) {
  constexpr char kUnknownColumn[] = R"y(operations:
  - create_constraint:
      name: bad
      table: users
      type: check
      columns: [nope]
      check: nope > 0
      up: {nope: nope}
      down: {nope: nope}
)y";
  constexpr char kUnknownInCheck[] = R"y(operations:
  - create_constraint:
      name: bad
      table: users
      type: check
      columns: [age]
      check: nope > 0
      up: {age: age}
      down: {age: age}
)y";
  std::string schema = Schema();
  for (const char* migration : {kUnknownColumn, kUnknownInCheck}) {
    auto started = Start("02_bad", migration);
    EXPECT_EQ(started.exit_code, 2) << started.out << started.err;
    EXPECT_NE(started.err.find("02_bad.yaml:"), std::string::npos) << started.err;
    EXPECT_NE(started.err.find("nope"), std::string::npos) << started.err;
    EXPECT_EQ(Schema(), schema);
  }
}

}  // namespace
}  // namespace tandem::testing
