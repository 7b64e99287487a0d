// `readers --scan DIR` and `complete --scan DIR` on a real SQLite file:
// application code that still names a column or table complete drops is a
// hidden reader, named file:line with the line, and complete refuses while
// it is there; code of the new version, and code that only shares a
// common column name with an unrelated table, is not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kDropNickname[] = R"y(operations:
  - drop_column:
      table: users
      column: nickname
      down: "''"
)y";

class CodeReadersTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, nickname TEXT);"
        "INSERT INTO users (name, nickname) VALUES ('a', 'x'), ('b', 'y');");
    code_ = TempDir() + "/app_" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(code_);
    std::filesystem::create_directories(code_ + "/models");
    std::filesystem::create_directories(code_ + "/.git");
    Write("models/user.py", "class User(Model):\n    name = Column(Text)\n");
    Write("reports/orders.rb",
          "class Order\n  # an order has a nickname of its own\n"
          "  attribute :nickname\nend\n");
    Write(".git/ORIG", "SELECT nickname FROM users\n");
    auto started = Tandem({"start", WriteMigration("drop_nickname.yaml", kDropNickname)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }

  void Write(const std::string& name, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(code_ + "/" + name).parent_path());
    std::ofstream(code_ + "/" + name) << content;
  }

  std::string code_;
};

TEST_F(CodeReadersTest, NothingFoundInCodeOfTheNewVersion) {
  auto result = Tandem({"readers", "--scan", code_});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out.find("code "), std::string::npos) << result.out;
}

TEST_F(CodeReadersTest, OldNamesInCodeAreReadersAndCompleteRefuses) {
  Write("jobs/cleanup.sql", "-- nightly\nUPDATE users SET nickname = NULL WHERE id < 0;\n");
  Write("web/profile.ts",
        "// User profile\nexport const show = (u: User) => u.nickname ?? u.name;\n");
  auto result = Tandem({"readers", "--scan", code_});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("code " + code_ +
                            "/jobs/cleanup.sql:2 uses column users.nickname, which complete "
                            "drops, in `UPDATE users SET nickname = NULL WHERE id < 0;`"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find(code_ + "/web/profile.ts:2 "), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("orders.rb"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find(".git"), std::string::npos) << result.out;

  auto complete = Tandem({"complete", "--scan", code_});
  EXPECT_EQ(complete.exit_code, 1) << complete.out << complete.err;
  EXPECT_NE(complete.err.find("cleanup.sql:2"), std::string::npos) << complete.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'nickname'"), "1");

  std::filesystem::remove(code_ + "/jobs/cleanup.sql");
  std::filesystem::remove(code_ + "/web/profile.ts");
  auto done = Tandem({"complete", "--scan", code_});
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
}

TEST_F(CodeReadersTest, ScanOfAMissingDirectoryIsBadInput) {
  auto result = Tandem({"readers", "--scan", code_ + "/missing"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("not a directory"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace tandem::testing
