#include "reader/migration_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tandem::reader {
namespace {

constexpr char kAddNickname[] =
    "operations:\n  - add_column:\n      table: users\n      column: {name: nickname, type: "
    "text, nullable: true}\n";

class MigrationDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tandem_migration_directory_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
  }
  std::filesystem::path dir_;
};

TEST_F(MigrationDirectoryTest, MigrationFilesInFileNameOrderOthersLeftAlone) {
  Write("10_second.yml", kAddNickname);
  Write("02_first.yaml", kAddNickname);
  Write("20_third.json",
        R"({"operations": [{"drop_column": {"table": "users", "column": "nickname"}}]})");
  Write("README.md", "not a migration");
  std::filesystem::create_directories(dir_ / "30_folder.yaml");
  auto migrations = ReadMigrationDirectory(dir_.string());
  ASSERT_TRUE(migrations.ok()) << migrations.status().message();
  ASSERT_EQ(migrations->size(), 3u);
  EXPECT_EQ((*migrations)[0].name, "02_first");
  EXPECT_EQ((*migrations)[1].name, "10_second");
  EXPECT_EQ((*migrations)[2].name, "20_third");
}

TEST_F(MigrationDirectoryTest, NoMigrationFileIsInvalidInputNamingTheDirectory) {
  Write("notes.txt", "nothing here");
  auto migrations = ReadMigrationDirectory(dir_.string());
  ASSERT_FALSE(migrations.ok());
  EXPECT_EQ(migrations.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(migrations.status().message().find(dir_.string()), std::string::npos);
}

TEST_F(MigrationDirectoryTest, AMissingDirectoryIsInvalidInput) {
  auto migrations = ReadMigrationDirectory((dir_ / "missing").string());
  ASSERT_FALSE(migrations.ok());
  EXPECT_EQ(migrations.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(migrations.status().message().find("cannot read directory"), std::string::npos);
}

TEST_F(MigrationDirectoryTest, TheFirstBadFileStopsItWithThatFilesError) {
  Write("01_good.yaml", kAddNickname);
  Write("02_bad.yaml", "operations: [\n");
  auto migrations = ReadMigrationDirectory(dir_.string());
  ASSERT_FALSE(migrations.ok());
  EXPECT_NE(migrations.status().message().find("02_bad.yaml"), std::string::npos)
      << migrations.status().message();
}

}  // namespace
}  // namespace tandem::reader
