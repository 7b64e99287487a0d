#include "plan/sqlite/sqlite_table_sql.h"

#include <gtest/gtest.h>

#include <map>

namespace tandem::plan::sqlite {
namespace {

TEST(SqliteTableSqlTest, FindsChecksCollationsAndNamedConstraints) {
  auto table = ParseCreateTable(
      "CREATE TABLE \"t\" (\n"
      "  id INTEGER PRIMARY KEY, -- the key, (not a column)\n"
      "  name TEXT COLLATE NOCASE CONSTRAINT name_set CHECK (name <> ''),\n"
      "  [age] INT CHECK (age >= 0 AND \"age\" < 200) DEFAULT (1),\n"
      "  team INTEGER CONSTRAINT team_fk REFERENCES teams (id) ON DELETE SET NULL,\n"
      "  CONSTRAINT name_age UNIQUE (name, age),\n"
      "  CHECK (length(name) > age / 100)\n"
      ") STRICT");
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->columns, (std::vector<std::string>{"id", "name", "age", "team"}));
  EXPECT_EQ(table->collations, (std::vector<std::string>{"", "NOCASE", "", ""}));
  ASSERT_EQ(table->checks.size(), 3u);
  EXPECT_EQ(table->checks[0].name, "name_set");
  EXPECT_EQ(table->checks[0].expression, "name <> ''");
  EXPECT_EQ(table->checks[1].name, "");
  EXPECT_EQ(table->checks[1].columns, (std::vector<std::string>{"age", "age"}));
  EXPECT_EQ(table->checks[2].columns, (std::vector<std::string>{"name", "age"}));
  ASSERT_EQ(table->named.size(), 2u);
  EXPECT_EQ(table->named[0].name, "team_fk");
  EXPECT_EQ(table->named[0].type, 'f');
  EXPECT_EQ(table->named[1].columns, (std::vector<std::string>{"name", "age"}));
  EXPECT_EQ(table->options, "STRICT");
  EXPECT_FALSE(table->conflict_clause);
}

TEST(SqliteTableSqlTest, NoticesConflictClausesAndRefusesWhatItCannotRead) {
  auto table = ParseCreateTable("CREATE TABLE t (a UNIQUE ON CONFLICT REPLACE)");
  ASSERT_TRUE(table.has_value());
  EXPECT_TRUE(table->conflict_clause);
  EXPECT_FALSE(table->deferrable);
  table = ParseCreateTable("CREATE TABLE t (a REFERENCES u (b) DEFERRABLE INITIALLY DEFERRED)");
  ASSERT_TRUE(table.has_value());
  EXPECT_TRUE(table->deferrable);
  table = ParseCreateTable("CREATE TABLE t (a REFERENCES u (b) NOT DEFERRABLE)");
  ASSERT_TRUE(table.has_value());
  EXPECT_FALSE(table->deferrable);
  EXPECT_FALSE(ParseCreateTable("CREATE TABLE t AS SELECT 1 AS a").has_value());
  EXPECT_FALSE(ParseCreateTable("CREATE TABLE t (a TEXT CHECK (a <> 'x)").has_value());
  EXPECT_FALSE(ParseCreateTable("CREATE TABLE t (a, (b))").has_value());
}

ColumnRename Renames(std::map<std::string, std::string> renames) {
  return [renames](const std::string& name) -> std::optional<std::string> {
    auto it = renames.find(name);
    if (it == renames.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SqliteTableSqlTest, RenamesColumnReferencesButNotFunctionsStringsOrCollations) {
  auto renamed = RenameColumnRefs(
      "length(name) > 0 AND 'name' <> \"name\" COLLATE name AND CAST(age AS name) > t.name",
      Renames({{"name", "full_name"}, {"age", "years"}}));
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(*renamed,
            "length(\"full_name\") > 0 AND 'name' <> \"full_name\" COLLATE name AND "
            "CAST(\"years\" AS name) > t.\"full_name\"");
  EXPECT_FALSE(RenameColumnRefs("age > 0", Renames({{"age", ""}})).has_value());
}

TEST(SqliteTableSqlTest, RenamesIndexColumnsAfterTheTableName) {
  auto renamed = RenameIndexColumns(
      "CREATE INDEX name ON name (name COLLATE NOCASE DESC, lower(email)) WHERE name IS NOT NULL",
      Renames({{"name", "full_name"}}));
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(*renamed,
            "CREATE INDEX name ON name (\"full_name\" COLLATE NOCASE DESC, lower(email)) WHERE "
            "\"full_name\" IS NOT NULL");
}

}  // namespace
}  // namespace tandem::plan::sqlite
