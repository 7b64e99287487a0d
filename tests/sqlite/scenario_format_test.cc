// The scenario reader (support/scenario_format.h): what a file says, and a
// malformed file refused with its file and line. It needs no database, and
// runs here beside the SQLite scenarios.
#include "support/scenario_format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/command.h"
#include "support/scenario_rows.h"

namespace tandem::testing::scenario {
namespace {

std::string WriteScenario(const std::string& name, const std::string& text) {
  std::string dir = TempDir() + "/format";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string ErrorOf(const std::string& text) {
  auto records = ReadScenario(WriteScenario("bad.test", text));
  return records.ok() ? "(read without error)" : records.status().message();
}

TEST(ScenarioFormatTest, ReadsEachKindOfRecord) {
  std::string path = WriteScenario("all.test", R"(# a comment
statement error NOT NULL
INSERT INTO t VALUES (NULL)

query IT rowsort
SELECT id, name
FROM t
----
1	a b
2	c

connection new 02_x

migration dir/02_x
operations: []
# kept: part of the file

snapshot same before
)");
  auto records = ReadScenario(path);
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 5u);
  const Record& statement = (*records)[0];
  EXPECT_EQ(statement.Where(), path + ":2");
  EXPECT_EQ(statement.mode, "error");
  EXPECT_EQ(statement.argument, "NOT NULL");
  EXPECT_EQ(statement.body, "INSERT INTO t VALUES (NULL)\n");
  const Record& query = (*records)[1];
  EXPECT_EQ(query.mode, "IT");
  EXPECT_TRUE(query.rowsort);
  EXPECT_EQ(query.body, "SELECT id, name\nFROM t\n");
  EXPECT_EQ(ExpectedRows(query.expected, 2), (std::vector<TextRow>{{"1", "a b"}, {"2", "c"}}));
  EXPECT_EQ((*records)[2].argument, "02_x");
  EXPECT_EQ((*records)[3].body, "operations: []\n# kept: part of the file\n");
  EXPECT_EQ((*records)[4].kind, RecordKind::kSnapshot);
  EXPECT_EQ((*records)[4].mode, "same");
}

TEST(ScenarioFormatTest, ReadsWhatTandemMustDo) {
  auto records = ReadScenario(WriteScenario("tandem.test", R"(tandem start --skip-backfill 02_x
error 1 is in progress
another text
!FAILED
)"));
  ASSERT_TRUE(records.ok()) << records.status().message();
  const Record& tandem = (*records)[0];
  EXPECT_EQ(tandem.args, (std::vector<std::string>{"start", "--skip-backfill", "02_x"}));
  EXPECT_EQ(tandem.exit_code, 1);
  EXPECT_EQ(tandem.contains, (std::vector<std::string>{"is in progress", "another text"}));
  EXPECT_EQ(tandem.excludes, (std::vector<std::string>{"FAILED"}));
}

TEST(ScenarioFormatTest, ConditionsLimitARecordOrTheRestOfTheFile) {
  auto records = ReadScenario(WriteScenario("conditions.test", R"(onlyif postgres
statement ok
SELECT 1

statement ok
SELECT 2

skipif postgres
# why

statement ok
SELECT 3
)"));
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_FALSE((*records)[0].RunsOn("sqlite"));
  EXPECT_TRUE((*records)[1].RunsOn("sqlite"));
  EXPECT_TRUE((*records)[1].RunsOn("postgres"));
  EXPECT_FALSE((*records)[2].RunsOn("postgres"));
  EXPECT_TRUE((*records)[2].RunsOn("sqlite"));
}

TEST(ScenarioFormatTest, IncludedRecordsKeepTheirPlaceAndTakeTheConditions) {
  std::string inc = WriteScenario("shared.inc", "\nstatement ok\nSELECT 1\n");
  auto records =
      ReadScenario(WriteScenario("includes.test", "onlyif sqlite\ninclude shared.inc\n"));
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].Where(), inc + ":2");
  EXPECT_FALSE((*records)[0].RunsOn("postgres"));
}

TEST(ScenarioFormatTest, MalformedFilesAreRefusedWithFileAndLine) {
  const std::pair<const char*, const char*> kCases[] = {
      {"\nselect 1\n", "bad.test:2: unknown record \"select\""},
      {"query I\nSELECT 1\n1\n", "bad.test:1: the query has no `----` line"},
      {"query X\nSELECT 1\n----\n", "bad.test:1: write `query <types>"},
      {"tandem start x\n", "bad.test:1: the next line says"},
      {"tandem start x\nerror one\n", "bad.test:2: write `error <exit code>"},
      {"onlyif mysql\nstatement ok\nSELECT 1\n", "bad.test:1: `onlyif` names one engine"},
      {"statement ok\n", "bad.test:1: the statement has no SQL"},
      {"include bad.test\n", "nest deeper"},
  };
  for (const auto& [text, error] : kCases) {
    EXPECT_NE(ErrorOf(text).find(error), std::string::npos) << text << "\n" << ErrorOf(text);
  }
}

TEST(ScenarioRowsTest, ValuesReadTheSameOnBothEngines) {
  EXPECT_EQ(ShowValue('B', "t"), "true");
  EXPECT_EQ(ShowValue('B', "0"), "false");
  EXPECT_EQ(ShowValue('I', "3.0"), "3");
  EXPECT_EQ(ShowValue('I', "41"), "41");
  EXPECT_EQ(ShowValue('R', "5.25"), "5.250");
  EXPECT_EQ(ShowValue('T', ""), "(empty)");
  EXPECT_EQ(ShowValue('T', std::nullopt), "NULL");
}

}  // namespace
}  // namespace tandem::testing::scenario
