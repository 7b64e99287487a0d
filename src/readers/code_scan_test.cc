#include "readers/code_scan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tandem::readers {
namespace {

namespace fs = std::filesystem;

class CodeScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tandem-scan-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  std::vector<std::string> Found(const std::vector<plan::Retired>& retired) {
    auto found = ScanCode(dir_.string(), retired);
    EXPECT_TRUE(found.ok()) << found.status().message();
    std::vector<std::string> names;
    for (const auto& r : *found) names.push_back(fs::path(r.name).filename().string());
    return names;
  }
  fs::path dir_;
};

TEST_F(CodeScanTest, ColumnsAsSqlAndOrmNamesInFilesNamingTheirTable) {
  Write("a.py", "class UserAccount(Model):\n    firstName = field()\n    first_names = 1\n");
  Write("b.sql", "SELECT first_name FROM user_accounts;\n");
  Write("c.go", "// first_name, but of another table\n");
  Write("d.bin", std::string("user_accounts first_name\0", 25));
  plan::Retired column{"user_accounts", "first_name", plan::RetiredChange::kDropped, ""};
  EXPECT_EQ(Found({column}), (std::vector<std::string>{"a.py:2", "b.sql:1"}));
}

TEST_F(CodeScanTest, RenamedTablesAndReplacedColumns) {
  Write("a.rb", "User.where(id: 1)\n");
  Write("b.sql", "SELECT age FROM users;\n");
  plan::Retired table{"users", "", plan::RetiredChange::kRenamed, "people"};
  plan::Retired replaced{"users", "age", plan::RetiredChange::kReplaced, ""};
  EXPECT_EQ(Found({table, replaced}), (std::vector<std::string>{"a.rb:1", "b.sql:1"}));
  auto found = ScanCode(dir_.string(), {table});
  ASSERT_TRUE(found.ok());
  EXPECT_NE((*found)[0].uses.find("which complete renames to people"), std::string::npos);
  EXPECT_FALSE(ScanCode((dir_ / "missing").string(), {table}).ok());
}

}  // namespace
}  // namespace tandem::readers
