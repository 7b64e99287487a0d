// Every operation tandem supports on SQLite, through the CLI on a real
// database file: start + complete gives the new shape (checked by a query),
// start + rollback leaves the schema exactly as it was and the data too.
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kSetup[] = R"sql(
CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  CONSTRAINT teams_title_key UNIQUE (title)
);
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT COLLATE NOCASE,
  age TEXT CONSTRAINT age_digits CHECK (age NOT GLOB '*[^0-9]*'),
  email TEXT DEFAULT 'none',
  team_id INTEGER REFERENCES teams (id),
  CHECK (email <> '')
);
CREATE INDEX users_email ON users (email);
CREATE INDEX users_name_partial ON users (name COLLATE BINARY DESC) WHERE name IS NOT NULL;
INSERT INTO teams (id, title) VALUES (1, 'red'), (2, 'blue');
INSERT INTO notes (body) VALUES ('a'), ('b');
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 300)
INSERT INTO users (name, age, email, team_id)
SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'user ' || i END, CAST(i % 90 AS TEXT),
       'u' || i || '@example.com', 1 + i % 2 FROM g;
)sql";

struct Case {
  const char* name;
  const char* migration;
  const char* check;  // after complete, must return "1"
};

const Case kCases[] = {
    {"add_column_nullable", R"y(operations:
  - add_column:
      table: users
      column: {name: nickname, type: TEXT, nullable: true}
)y",
     "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'nickname'"},
    {"add_column_not_null_with_up", R"y(operations:
  - add_column:
      table: users
      column: {name: score, type: INTEGER, nullable: false}
      up: coalesce(length(name), 0)
)y",
     "SELECT \"notnull\" = 1 AND (SELECT sum(score) FROM users) > 0 FROM "
     "pragma_table_info('users') "
     "WHERE name = 'score'"},
    {"add_column_constant_default", R"y(operations:
  - add_column:
      table: users
      column: {name: active, type: INTEGER, nullable: false, default: "1"}
)y",
     "SELECT count(*) = 300 FROM users WHERE active = 1"},
    {"add_column_references", R"y(operations:
  - add_column:
      table: users
      column:
        name: backup_team
        type: INTEGER
        nullable: true
        references: {name: users_backup_team_fk, table: teams, column: id}
)y",
     "SELECT count(*) FROM pragma_foreign_key_list('users') WHERE \"from\" = 'backup_team'"},
    {"alter_column_type_not_null", R"y(operations:
  - alter_column:
      table: users
      column: age
      type: INTEGER
      nullable: false
      up: coalesce(CAST(age AS INTEGER), 0)
      down: CAST(age AS TEXT)
)y",
     "SELECT type = 'INTEGER' AND \"notnull\" = 1 AND (SELECT typeof(age) FROM users LIMIT 1) = "
     "'integer' FROM pragma_table_info('users') WHERE name = 'age'"},
    {"alter_column_not_null", R"y(operations:
  - alter_column:
      table: users
      column: name
      nullable: false
      up: SELECT CASE WHEN name IS NULL THEN 'anonymous' ELSE name END
      down: name
)y",
     "SELECT (SELECT count(*) FROM users WHERE name = 'anonymous') = 100 AND \"notnull\" = 1 FROM "
     "pragma_table_info('users') WHERE name = 'name'"},
    {"alter_column_rename", R"y(operations:
  - alter_column: {table: users, column: name, name: full_name}
)y",
     "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'full_name'"},
    {"alter_column_default", R"y(operations:
  - alter_column: {table: users, column: email, default: "'unknown'"}
)y",
     "SELECT dflt_value = '''unknown''' FROM pragma_table_info('users') WHERE name = 'email'"},
    {"alter_column_unique", R"y(operations:
  - alter_column:
      table: users
      column: email
      unique: {name: users_email_key}
      up: email
      down: email
)y",
     "SELECT count(*) FROM pragma_index_list('users') WHERE \"unique\" = 1 AND origin = 'u'"},
    {"alter_column_check", R"y(operations:
  - alter_column:
      table: users
      column: age
      check: {name: age_small, constraint: "length(age) <= 3"}
      up: age
      down: age
)y",
     "SELECT sql LIKE '%CHECK (length(age) <= 3)%' FROM sqlite_schema WHERE name = 'users'"},
    {"create_constraint_check", R"y(operations:
  - create_constraint:
      name: age_short
      table: users
      type: check
      columns: [age]
      check: length(age) <= 3
      up: {age: age}
      down: {age: age}
)y",
     "SELECT sql LIKE '%CONSTRAINT \"age_short\" CHECK (length(\"age\") <= 3)%' AND sql LIKE "
     "'%age_digits%' FROM sqlite_schema WHERE name = 'users'"},
    {"create_constraint_unique", R"y(operations:
  - create_constraint:
      name: users_email_unique
      table: users
      type: unique
      columns: [email]
      up: {email: email}
      down: {email: email}
)y",
     "SELECT count(*) FROM pragma_index_list('users') WHERE name = 'users_email_unique' AND "
     "\"unique\" = 1"},
    {"create_constraint_foreign_key", R"y(operations:
  - create_constraint:
      name: users_team_fk
      table: users
      type: foreign_key
      columns: [team_id]
      references: {table: teams, columns: [id], on_delete: CASCADE}
      up: {team_id: team_id}
      down: {team_id: team_id}
)y",
     "SELECT (SELECT count(*) FROM pragma_foreign_key_list('users')) = 2 AND sql LIKE "
     "'%CONSTRAINT \"users_team_fk\" FOREIGN KEY (\"team_id\") REFERENCES%' FROM sqlite_schema "
     "WHERE name = 'users'"},
    {"drop_constraint_check", R"y(operations:
  - drop_constraint: {table: users, column: age, name: age_digits, up: age, down: age}
)y",
     "SELECT sql NOT LIKE '%age_digits%' AND sql LIKE '%CHECK (email <> '''')%' FROM sqlite_schema "
     "WHERE name = 'users'"},
    // pgroll's current form: no `column`, and an empty `up` (the column unchanged).
    {"drop_constraint_without_column", R"y(operations:
  - drop_constraint: {table: users, name: age_digits, up: "", down: age}
)y",
     "SELECT sql NOT LIKE '%age_digits%' AND sql LIKE '%CHECK (email <> '''')%' FROM sqlite_schema "
     "WHERE name = 'users'"},
    {"create_and_drop_table", R"y(operations:
  - create_table: {name: scratch, columns: [{name: id, type: INTEGER, pk: true}]}
  - drop_table: {name: scratch}
)y",
     "SELECT count(*) = 0 FROM sqlite_schema WHERE name LIKE 'scratch%'"},
    {"drop_multicolumn_constraint_unique", R"y(operations:
  - drop_multicolumn_constraint:
      table: teams
      name: teams_title_key
      up: {title: title}
      down: {title: title}
)y",
     "SELECT count(*) = 0 FROM pragma_index_list('teams')"},
    {"drop_column", R"y(operations:
  - drop_column: {table: users, column: age, down: "'0'"}
)y",
     "SELECT count(*) = 0 FROM pragma_table_info('users') WHERE name = 'age'"},
    {"rename_column", R"y(operations:
  - rename_column: {table: users, from: name, to: handle}
)y",
     "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'handle'"},
    {"rename_table", R"y(operations:
  - rename_table: {from: notes, to: memos}
)y",
     "SELECT count(*) = 2 FROM memos"},
    {"drop_table", R"y(operations:
  - drop_table: {name: notes}
)y",
     "SELECT count(*) = 0 FROM sqlite_schema WHERE name = 'notes'"},
    {"create_table", R"y(operations:
  - create_table:
      name: tags
      columns:
        - {name: id, type: INTEGER, pk: true}
        - {name: label, type: TEXT, nullable: false, unique: true}
        - {name: team_id, type: INTEGER, nullable: true, references: {name: tags_team_fk, table: teams, column: id}}
)y",
     "SELECT count(*) = 3 FROM pragma_table_info('tags')"},
    {"create_index", R"y(operations:
  - create_index: {name: users_name_idx, table: users, columns: [name]}
)y",
     "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'users_name_idx'"},
    {"drop_index", R"y(operations:
  - drop_index: {name: users_email}
)y",
     "SELECT count(*) = 0 FROM sqlite_schema WHERE name = 'users_email'"},
    {"sql", R"y(operations:
  - sql: {up: "CREATE TABLE audit (x INTEGER)", down: "DROP TABLE audit"}
)y",
     "SELECT count(*) FROM sqlite_schema WHERE name = 'audit'"},
};

class SqliteOperationTest : public SqliteTest, public ::testing::WithParamInterface<Case> {};

TEST_P(SqliteOperationTest, StartCompleteGivesTheNewShape) {
  Exec(kSetup);
  std::string file =
      WriteMigration(std::string("01_") + GetParam().name + ".yaml", GetParam().migration);
  auto started = Tandem({"start", file});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_EQ(Scalar(GetParam().check), "1") << Schema();
  EXPECT_EQ(Scalar("SELECT count(*) FROM users"), "300");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_foreign_key_check"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name LIKE '\\_tandem%' "
                   "ESCAPE '\\'"),
            "0");
}

TEST_P(SqliteOperationTest, StartRollbackRestoresSchemaAndData) {
  Exec(kSetup);
  std::string schema = Schema();
  std::string users = Rows("users");
  std::string file =
      WriteMigration(std::string("01_") + GetParam().name + ".yaml", GetParam().migration);
  auto started = Tandem({"start", file});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  ASSERT_NE(Schema(), schema);
  auto rolled_back = Tandem({"rollback"});
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.out << rolled_back.err;
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(Rows("users"), users);
}

INSTANTIATE_TEST_SUITE_P(Operations, SqliteOperationTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tandem::testing
