// The authoring commands and the shared config file, on real files: `new`
// numbers and never overwrites, `validate` needs no database and names
// file:line:column, `latest` says what an application queries on SQLite,
// and a config file's settings apply under the migration file's and the
// flags'.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sqlite/sqlite_fixture.h"
#include "support/json_lines.h"

namespace tandem::testing {
namespace {

namespace fs = std::filesystem;

class SqliteAuthoringTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(50);
    dir_ =
        TempDir() + "/authoring_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  std::string dir_;
};

TEST_F(SqliteAuthoringTest, NewNumbersAfterTheNewestFileAndNeverOverwrites) {
  Write("07_users_name.yaml", kUsersNameNotNull);
  auto created = Tandem({"new", "add_nickname", "--dir", dir_});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  ASSERT_TRUE(fs::exists(dir_ + "/08_add_nickname.yaml")) << created.out;
  auto checked = Tandem({"validate", dir_ + "/08_add_nickname.yaml"});
  EXPECT_EQ(checked.exit_code, 0) << "the skeleton must read cleanly: " << checked.err;
  std::string before = ReadFile(dir_ + "/07_users_name.yaml");
  auto again = Tandem({"new", "07_users_name", "--dir", dir_});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(again.err.find("exists already"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(dir_ + "/07_users_name.yaml"), before);
}

TEST_F(SqliteAuthoringTest, ValidateNeedsNoDatabaseAndNamesTheSpot) {
  Write("01_good.yaml", kUsersNameNotNull);
  Write("02_bad.yaml",
        "operations:\n  - add_column:\n      table: users\n      colum: {name: x}\n");
  auto result = RunTandem("", {"--json", "validate", dir_});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  std::vector<nlohmann::json> lines = JsonLines(result.out);
  ASSERT_EQ(lines.size(), 3u) << result.out;  // two files, then the error
  EXPECT_EQ(lines[0]["valid"], true);
  EXPECT_EQ(lines[0]["operations"], 1);
  EXPECT_EQ(lines[1]["valid"], false);
  EXPECT_NE(lines[1]["error"].get<std::string>().find("02_bad.yaml:4:7:"), std::string::npos)
      << lines[1].dump();
  EXPECT_EQ(lines[2]["exit_code"], 2);
}

TEST_F(SqliteAuthoringTest, LatestNamesWhatAnApplicationQueriesOnSqlite) {
  auto nothing = Tandem({"latest"});
  EXPECT_EQ(nothing.exit_code, 1) << nothing.out << nothing.err;
  ASSERT_EQ(Tandem({"start", WriteMigration("02_name.yaml", kUsersNameNotNull)}).exit_code, 0);
  auto latest = Tandem({"--json", "latest"});
  ASSERT_EQ(latest.exit_code, 0) << latest.out << latest.err;
  auto line = nlohmann::json::parse(latest.out);
  EXPECT_EQ(line["engine"], "sqlite");
  EXPECT_EQ(line["migration"], "02_name");
  EXPECT_TRUE(line["search_path"].is_null());
  ASSERT_EQ(line["tables"].size(), 1u) << latest.out;
  EXPECT_EQ(line["tables"][0]["table"], "users");
}

TEST_F(SqliteAuthoringTest, TheConfigFilesDryRunYieldsToTheFlag) {
  Write("tandem.yaml", "run:\n  dry_run: true\nbackfill:\n  concurrency: 3\n");
  std::string config = dir_ + "/tandem.yaml";
  std::string file = WriteMigration("02_name.yaml", kUsersNameNotNull);
  auto dry = Tandem({"--config", config, "start", file});
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("dry run of `tandem start`"), std::string::npos) << dry.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
  auto shown = Tandem({"--json", "--config", config, "config", file});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  bool found = false;
  for (const auto& line : JsonLines(shown.out)) {
    if (line["key"] != "backfill.concurrency") continue;
    found = true;
    EXPECT_EQ(line["value"], "3");
    EXPECT_EQ(line["source"], "config");
  }
  EXPECT_TRUE(found) << shown.out;
  auto real = Tandem({"--config", config, "start", "--dry-run=false", file});
  ASSERT_EQ(real.exit_code, 0) << real.out << real.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "active");
  auto status = Tandem({"--config", config, "status"});
  EXPECT_EQ(status.exit_code, 0) << "run.dry_run concerns only commands that change something: "
                                 << status.err;
}

TEST_F(SqliteAuthoringTest, ABadConfigFileIsRefusedAtItsPlaceBeforeAnythingChanges) {
  Write("tandem.yaml", "backfill:\n  concurency: 3\n");
  auto refused = Tandem({"--config", dir_ + "/tandem.yaml", "start",
                         WriteMigration("02_name.yaml", kUsersNameNotNull)});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("tandem.yaml:2:3:"), std::string::npos) << refused.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
}

}  // namespace
}  // namespace tandem::testing
