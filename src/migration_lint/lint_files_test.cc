#include "migration_lint/lint_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace tandem::migration_lint {
namespace {

namespace fs = std::filesystem;

class LintFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tandem-lint-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
    return path.string();
  }

  // "line:column code" of each finding.
  static std::vector<std::string> Found(const FileReport& report) {
    std::vector<std::string> out;
    for (const auto& f : report.findings) {
      out.push_back(std::to_string(f.line) + ":" + std::to_string(f.column) + " " + f.code);
    }
    return out;
  }

  fs::path dir_;
};

constexpr char kTimeouts[] = "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\n";

TEST_F(LintFilesTest, SqlFileFindingsAtTheirLineAndColumn) {
  std::string path =
      Write("V2__index.sql", std::string(kTimeouts) +
                                 "-- add an index\nCREATE INDEX users_n ON users (n);\n"
                                 "ALTER TABLE users ADD COLUMN at timestamp;\n");
  auto report = LintFile(path, {});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(Found(*report), (std::vector<std::string>{"4:1 TD304", "5:33 TD505"}));
  EXPECT_EQ(report->findings[0].file, path);
}

TEST_F(LintFilesTest, DisableCommentAndFlagsAndDefaultOffRules) {
  std::string path = Write("m.sql",
                           "-- tandem-lint: disable=td304\nCREATE INDEX i ON users (n);\n"
                           "CREATE TABLE t (id bigint);\n");
  Options options;
  auto report = LintFile(path, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Found(*report), (std::vector<std::string>{"2:1 TD310"}));
  options.disabled = {"TD310"};
  options.enabled = {"TD506"};
  report = LintFile(path, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Found(*report), (std::vector<std::string>{"2:1 TD506", "3:1 TD506"}));
}

TEST_F(LintFilesTest, UnknownCodeInADisableCommentIsBadInput) {
  std::string path = Write("m.sql", "SELECT 1;\n-- tandem-lint: disable=TD999\n");
  auto report = LintFile(path, {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(report.status().message().find("m.sql:2"), std::string::npos);
  EXPECT_NE(report.status().message().find("TD999"), std::string::npos);
}

TEST_F(LintFilesTest, SyntaxErrorNamesFileLineAndColumn) {
  std::string path = Write("m.sql", "SELECT 1;\nALTER TABLE t ADD COLUM x int;\n");
  auto report = LintFile(path, {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(report.status().message().find("m.sql:2:"), std::string::npos)
      << report.status().message();
}

TEST_F(LintFilesTest, DbmateLintsTheUpSectionInItsTransaction) {
  std::string path = Write("20240101_add.sql", "-- migrate:up\n" + std::string(kTimeouts) +
                                                   "CREATE INDEX CONCURRENTLY i ON users (n);\n"
                                                   "-- migrate:down\nDROP INDEX i;\n");
  auto report = LintFile(path, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Found(*report), (std::vector<std::string>{"4:1 TD311"}));
  std::string outside =
      Write("20240102_add.sql", "-- migrate:up transaction:false\n" + std::string(kTimeouts) +
                                    "CREATE INDEX CONCURRENTLY i ON users (n);\n"
                                    "-- migrate:down\nDROP INDEX i;\n");
  report = LintFile(outside, {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->findings.empty()) << Found(*report)[0];
}

TEST_F(LintFilesTest, DirectoriesSkipDownAndUndoMigrations) {
  Write("db/1_a.up.sql", "SELECT 1;");
  Write("db/1_a.down.sql", "SELECT 1;");
  Write("db/flyway/V1__a.sql", "SELECT 1;");
  Write("db/flyway/U1__a.sql", "SELECT 1;");
  Write("db/notes.txt", "x");
  auto files = MigrationFiles({(dir_ / "db").string()});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_TRUE(files->at(0).ends_with("1_a.up.sql"));
  EXPECT_TRUE(files->at(1).ends_with("V1__a.sql"));
  EXPECT_FALSE(MigrationFiles({(dir_ / "missing").string()}).ok());
  EXPECT_FALSE(MigrationFiles({(dir_ / "db/notes.txt").string()}).ok());
}

TEST_F(LintFilesTest, PgrollFileJudgedOnWhatTandemRuns) {
  std::string path = Write("02_users.yaml", R"(operations:
  - add_column:
      table: users
      up: "'unknown'"
      column:
        name: nickname
        type: varchar(40)
  - alter_column:
      table: users
      column: age
      type: bigint
      up: age
      down: age
  - drop_column:
      table: users
      column: legacy
      down: "''"
  - sql:
      up: |
        CREATE INDEX users_nick ON users (nickname);
        ALTER TABLE users ALTER COLUMN email SET NOT NULL;
)");
  auto report = LintFile(path, {});
  ASSERT_TRUE(report.ok()) << report.status().message();
  // add_column NOT NULL and alter_column's type change are tandem's own
  // expand/backfill steps: not flagged. The raw SQL is, at its file lines.
  EXPECT_EQ(Found(*report),
            (std::vector<std::string>{"7:15 TD503", "16:15 TD101", "20:9 TD304", "21:9 TD309"}));
}

TEST_F(LintFilesTest, PgrollLintSectionDisablesRules) {
  std::string path = Write("03.yaml", R"(lint:
  disable: [TD101]
operations:
  - drop_table:
      name: legacy
)");
  auto report = LintFile(path, {});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->findings.empty());
  std::string bad = Write("04.yaml",
                          "lint:\n  disable: [TD1]\noperations:\n  - drop_table:\n"
                          "      name: legacy\n");
  auto refused = LintFile(bad, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("04.yaml:2:"), std::string::npos)
      << refused.status().message();
}

TEST_F(LintFilesTest, SqliteAppliesItsOwnRules) {
  std::string path = Write("m.sql",
                           "CREATE INDEX i ON users (n);\n"
                           "ALTER TABLE users ADD COLUMN n text NOT NULL;\n"
                           "ALTER TABLE users ALTER COLUMN n TYPE integer;\n");
  Options options;
  options.sqlite = true;
  auto report = LintFile(path, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Found(*report), (std::vector<std::string>{"2:1 TD301", "3:1 TD701"}));
}

}  // namespace
}  // namespace tandem::migration_lint
