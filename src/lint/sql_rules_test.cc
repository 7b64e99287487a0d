#include "lint/sql_rules.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "lint/pg_parse.h"

namespace tandem::lint {
namespace {

// Sets both timeouts, so that cases about other rules are not also TD310.
constexpr char kTimeouts[] = "SET lock_timeout = '1s'; SET statement_timeout = '5s';\n";

std::vector<std::string> Codes(const std::string& sql, SqlContext context = {}) {
  auto lint = LintSql(sql, context);
  EXPECT_TRUE(lint.ok()) << lint.status().message();
  std::vector<std::string> codes;
  if (!lint.ok()) return codes;
  for (const auto& f : lint->findings) codes.push_back(f.code);
  return codes;
}

bool Fires(const std::string& code, const std::string& sql, SqlContext context = {}) {
  auto codes = Codes(kTimeouts + sql, context);
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// One rule, a statement it must flag and a close one it must not.
struct RuleCase {
  const char* code;
  const char* fires;
  const char* quiet;
  bool sqlite = false;
  bool in_transaction = false;
};

class SqlRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(SqlRuleTest, FiresOnTheBadFormOnly) {
  const RuleCase& c = GetParam();
  SqlContext context{c.sqlite, c.in_transaction, false};
  EXPECT_TRUE(Fires(c.code, c.fires, context)) << c.code << " missed: " << c.fires;
  EXPECT_FALSE(Fires(c.code, c.quiet, context)) << c.code << " flagged: " << c.quiet;
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, SqlRuleTest,
    ::testing::Values(
        RuleCase{"TD101", "ALTER TABLE users DROP COLUMN name;",
                 "ALTER TABLE users ADD COLUMN n text;"},
        RuleCase{"TD101", "DROP TABLE users;", "CREATE TABLE IF NOT EXISTS users (id bigint);"},
        RuleCase{"TD102", "DELETE FROM users WHERE id = 1;", "SELECT 1 FROM users;"},
        RuleCase{"TD103", "UPDATE users SET n = 1 WHERE id = 1;", "SELECT 1;"},
        RuleCase{"TD104", "DELETE FROM users;", "DELETE FROM users WHERE id < 10;"},
        RuleCase{"TD104", "UPDATE users SET n = 1;", "UPDATE users SET n = 1 WHERE n IS NULL;"},
        RuleCase{"TD105", "TRUNCATE users CASCADE;", "TRUNCATE users;"},
        RuleCase{
            "TD204",
            "CREATE TABLE t (a_column_name_that_goes_on_and_on_and_on_for_much_more_than_63_bytes "
            "text);",
            "CREATE TABLE t (a text); SELECT 'a_string_that_goes_on_and_on_and_on_for_more_"
            "than_63_bytes_is_fine';"},
        RuleCase{"TD301", "ALTER TABLE users ADD COLUMN n text NOT NULL;",
                 "ALTER TABLE users ADD COLUMN n text NOT NULL DEFAULT '';"},
        RuleCase{"TD301", "ALTER TABLE users ADD COLUMN n text NOT NULL;",
                 "ALTER TABLE users ADD COLUMN n text NOT NULL DEFAULT 'x';", true},
        RuleCase{"TD302", "ALTER TABLE users ADD COLUMN n uuid DEFAULT gen_random_uuid();",
                 "ALTER TABLE users ADD COLUMN n timestamptz DEFAULT now();"},
        RuleCase{"TD302", "ALTER TABLE users ADD COLUMN n bigserial;",
                 "ALTER TABLE users ADD COLUMN n bigint DEFAULT 0;"},
        RuleCase{"TD302", "ALTER TABLE users ADD COLUMN n text DEFAULT CURRENT_TIMESTAMP;",
                 "ALTER TABLE users ADD COLUMN n text DEFAULT 'x';", true},
        RuleCase{"TD303", "ALTER TABLE users ALTER COLUMN n TYPE bigint;",
                 "CREATE TABLE t (n int); ALTER TABLE t ALTER COLUMN n TYPE bigint;"},
        RuleCase{"TD304", "CREATE INDEX i ON users (n);",
                 "CREATE INDEX CONCURRENTLY i ON users (n);"},
        RuleCase{"TD304", "CREATE INDEX i ON users (n);",
                 "CREATE TABLE t (n bigint); CREATE INDEX i ON t (n);"},
        RuleCase{"TD305", "DROP INDEX i;", "DROP INDEX CONCURRENTLY i;"},
        RuleCase{"TD306", "ALTER TABLE users ADD CONSTRAINT c CHECK (n > 0);",
                 "ALTER TABLE users ADD CONSTRAINT c CHECK (n > 0) NOT VALID;"},
        RuleCase{"TD306", "ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id);",
                 "ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id) NOT VALID;"},
        RuleCase{"TD307", "ALTER TABLE users ADD CONSTRAINT u UNIQUE (n);",
                 "ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX users_n;"},
        RuleCase{"TD307", "ALTER TABLE users ADD PRIMARY KEY (id);",
                 "ALTER TABLE users ADD CONSTRAINT p PRIMARY KEY USING INDEX users_id;"},
        RuleCase{"TD308",
                 "BEGIN; ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id) NOT "
                 "VALID; ALTER TABLE a VALIDATE CONSTRAINT f; COMMIT;",
                 "ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id) NOT VALID; "
                 "ALTER TABLE a VALIDATE CONSTRAINT f;"},
        RuleCase{"TD309", "ALTER TABLE users ALTER COLUMN n SET NOT NULL;",
                 "ALTER TABLE users ADD CONSTRAINT c CHECK (n IS NOT NULL) NOT VALID;\n"
                 "ALTER TABLE users VALIDATE CONSTRAINT c;\n"
                 "ALTER TABLE users ALTER COLUMN n SET NOT NULL;"},
        RuleCase{"TD311", "BEGIN; CREATE INDEX CONCURRENTLY i ON users (n); COMMIT;",
                 "CREATE INDEX CONCURRENTLY i ON users (n);"},
        RuleCase{"TD311", "DROP INDEX CONCURRENTLY i;", "DROP INDEX i;", false, true},
        RuleCase{"TD312", "REINDEX INDEX i;", "REINDEX INDEX CONCURRENTLY i;"},
        RuleCase{"TD313", "ALTER TABLE p DETACH PARTITION p1;",
                 "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;"},
        RuleCase{"TD314", "VACUUM FULL users;", "VACUUM users;"},
        RuleCase{"TD314", "CLUSTER users USING users_pkey;", "ANALYZE users;"},
        RuleCase{"TD315", "CREATE DOMAIN d AS text CHECK (VALUE <> '');",
                 "CREATE DOMAIN d AS text;"},
        RuleCase{"TD401", "ALTER TABLE users RENAME COLUMN n TO m;",
                 "ALTER TABLE users RENAME CONSTRAINT c TO d;"},
        RuleCase{"TD402", "ALTER TABLE users RENAME TO people;",
                 "CREATE TABLE t (id bigint); ALTER TABLE t RENAME TO u;"},
        RuleCase{"TD403", "ALTER TABLE users ALTER COLUMN n DROP NOT NULL;",
                 "ALTER TABLE users ALTER COLUMN n SET DEFAULT 1;"},
        RuleCase{"TD501", "CREATE TABLE t (id integer);", "CREATE TABLE t (id bigint);"},
        RuleCase{"TD501", "CREATE TABLE t (id smallint);", "CREATE TABLE t (id int8);"},
        RuleCase{"TD502", "CREATE TABLE t (id bigserial);",
                 "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY);"},
        RuleCase{"TD503", "CREATE TABLE t (n varchar(20));", "CREATE TABLE t (n varchar);"},
        RuleCase{"TD504", "CREATE TABLE t (n char(2));", "CREATE TABLE t (n text);"},
        RuleCase{"TD505", "CREATE TABLE t (n timestamp);", "CREATE TABLE t (n timestamptz);"},
        RuleCase{"TD506", "CREATE TABLE t (n text);", "CREATE TABLE IF NOT EXISTS t (n text);"},
        RuleCase{"TD507", "CREATE TABLE t (n text);", "CREATE TABLE s.t (n text);"},
        RuleCase{"TD601", "BEGIN; BEGIN; COMMIT;", "BEGIN; COMMIT;"},
        RuleCase{"TD601", "COMMIT;", "SELECT 1;", false, true},
        RuleCase{"TD602", "BEGIN; CREATE TABLE t (n text);", "BEGIN; COMMIT;"},
        RuleCase{"TD701", "ALTER TABLE users ALTER COLUMN n TYPE bigint;",
                 "ALTER TABLE users ADD COLUMN n bigint;", true}));

TEST(SqlRulesTest, MissingTimeoutsFlaggedOnceAtTheFirstLockingStatement) {
  auto lint = LintSql(
      "CREATE TABLE t (id bigint);\nALTER TABLE users ADD COLUMN n text;\n"
      "ALTER TABLE users ADD COLUMN m text;",
      {});
  ASSERT_TRUE(lint.ok());
  int count = 0;
  for (const auto& f : lint->findings) {
    if (f.code != "TD310") continue;
    ++count;
    EXPECT_EQ(f.line, 2);
    EXPECT_NE(f.message.find("lock_timeout and statement_timeout"), std::string::npos);
  }
  EXPECT_EQ(count, 1);
  EXPECT_TRUE(
      Codes("SET lock_timeout = '1s';\nALTER TABLE u ADD COLUMN n text;", {.timeouts_set = true})
          .empty());
}

TEST(SqlRulesTest, PositionsAreTheStatementsOrTheNodesLineAndColumn) {
  auto lint = LintSql(std::string(kTimeouts) +
                          "-- a comment\n\n  CREATE INDEX i ON users (n);\n"
                          "CREATE TABLE t (id bigint,\n   at timestamp);",
                      {});
  ASSERT_TRUE(lint.ok());
  int seen = 0;
  for (const auto& f : lint->findings) {
    if (f.code == "TD304") {
      EXPECT_EQ(f.line, 4);
      EXPECT_EQ(f.column, 3);
      ++seen;
    }
    if (f.code == "TD505") {
      EXPECT_EQ(f.line, 6);
      EXPECT_EQ(f.column, 7);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
}

TEST(SqlRulesTest, SyntaxErrorsGiveTheOffset) {
  SyntaxError error;
  auto lint = LintSql("SELECT 1;\nALTER TABLE t ADD COLUM x int;", {}, &error);
  ASSERT_FALSE(lint.ok());
  EXPECT_EQ(lint.status().kind(), ErrorKind::kInvalidInput);
  int line = 0, column = 0;
  LineAndColumn("SELECT 1;\nALTER TABLE t ADD COLUM x int;", error.offset, &line, &column);
  EXPECT_EQ(line, 2);
  EXPECT_NE(error.message.find("syntax error"), std::string::npos);
}

TEST(SqlRulesTest, LiveQuestionsNameTheTableAndColumn) {
  auto lint = LintSql(
      "ALTER TABLE s.users DROP COLUMN name;\nALTER TABLE users ALTER COLUMN "
      "age TYPE bigint;\nALTER TABLE users ADD COLUMN a text, ADD COLUMN b text;",
      {});
  ASSERT_TRUE(lint.ok());
  int adds = 0, rewrites = 0, changes = 0;
  for (const auto& q : lint->questions) {
    adds += q.kind == LiveQuestion::Kind::kAddsColumns ? q.count : 0;
    rewrites += q.kind == LiveQuestion::Kind::kRewrites;
    if (q.kind == LiveQuestion::Kind::kChangesColumn && q.column == "name") {
      EXPECT_EQ(q.schema, "s");
      EXPECT_EQ(q.table, "users");
      EXPECT_EQ(q.line, 1);
      ++changes;
    }
  }
  EXPECT_EQ(adds, 2);
  EXPECT_EQ(rewrites, 1);
  EXPECT_EQ(changes, 1);
}

TEST(SqlRulesTest, ColumnTypesOfAMigrationFile) {
  auto findings = LintColumnType("varchar(255)", "name");
  ASSERT_TRUE(findings.ok());
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].code, "TD503");
  auto fine = LintColumnType("text", "name");
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(fine->empty());
  EXPECT_FALSE(LintColumnType("not a ( type", "x").ok());
}

}  // namespace
}  // namespace tandem::lint
