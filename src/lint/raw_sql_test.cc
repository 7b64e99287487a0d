#include "lint/raw_sql.h"

#include <gtest/gtest.h>

namespace tandem::lint {
namespace {

TEST(DescribeStatementsTest, UndoesCreatesNewestFirst) {
  auto described = DescribeStatements(
      "CREATE TYPE size AS ENUM ('s');\n"
      "CREATE TABLE s.t (id int PRIMARY KEY, n varchar(3)[] NOT NULL);\n"
      "CREATE INDEX t_n ON s.t (n);\n"
      "CREATE FUNCTION f(a int, OUT b text) LANGUAGE sql AS 'SELECT 1';\n"
      "ALTER TABLE u ADD COLUMN x int, ADD COLUMN y text");
  ASSERT_TRUE(described.ok()) << described.status().message();
  EXPECT_EQ(
      UndoOf(*described),
      (std::vector<std::string>{"ALTER TABLE \"u\" DROP COLUMN \"x\", DROP COLUMN \"y\"",
                                "DROP FUNCTION \"f\"(pg_catalog.int4)", "DROP INDEX \"s\".\"t_n\"",
                                "DROP TABLE \"s\".\"t\"", "DROP TYPE \"size\""}));
  const RawStatement& table = (*described)[1];
  EXPECT_EQ(table.line, 1);
  EXPECT_TRUE(table.creates_table);
  EXPECT_EQ(table.schema, "s");
  ASSERT_EQ(table.columns.size(), 2u);
  EXPECT_TRUE(table.columns[0].primary_key);
  EXPECT_EQ(table.columns[1].type, "pg_catalog.varchar(3)[]");
  EXPECT_TRUE(table.columns[1].not_null);
}

TEST(DescribeStatementsTest, NothingToUndoWhenAStatementDoesMoreThanCreate) {
  auto described = DescribeStatements(
      "CREATE TABLE t (id int); INSERT INTO t VALUES (1); CREATE OR REPLACE VIEW v AS SELECT 1");
  ASSERT_TRUE(described.ok());
  EXPECT_TRUE(UndoOf(*described).empty());
  EXPECT_EQ((*described)[2].effect, Effect::kOther);
}

TEST(DescribeStatementsTest, FlagsWhatDestroysWithItsRule) {
  auto described = DescribeStatements(
      "DROP TABLE users; TRUNCATE a; DELETE FROM b; UPDATE c SET x = 1;\n"
      "ALTER TABLE d DROP COLUMN e");
  ASSERT_TRUE(described.ok());
  std::vector<std::string> rules;
  for (const auto& s : *described) {
    EXPECT_EQ(s.effect, Effect::kDestroys) << s.text;
    rules.push_back(s.rule);
  }
  EXPECT_EQ(rules, (std::vector<std::string>{kRuleDropsObject, kRuleRemovesRows, kRuleRemovesRows,
                                             kRuleOverwritesRows, kRuleDropsObject}));
  EXPECT_EQ((*described)[0].what, "drops a table");
  EXPECT_EQ((*described)[4].text, "ALTER TABLE d DROP COLUMN e");
  EXPECT_EQ((*described)[4].line, 1);
}

TEST(DescribeStatementsTest, ReportsWhatDoesNotParse) {
  auto described = DescribeStatements("CREATE TABLE (");
  ASSERT_FALSE(described.ok());
  EXPECT_EQ(described.status().kind(), ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace tandem::lint
