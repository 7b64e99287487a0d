// Commands that only look change nothing on SQLite: `plan` leaves a
// rollback-journal database as it was (journal mode included, byte for
// byte), and `diff`, which needs PostgreSQL for now, says so before it
// opens the file.
#include <gtest/gtest.h>

#include <filesystem>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class SqliteReadOnlyCommandsTest : public SqliteTest {
 protected:
  // A database in rollback-journal mode, closed, as an application that
  // never chose WAL leaves it.
  void SetUpDatabase() override {
    CreateUsers(3);
    Exec("PRAGMA journal_mode = DELETE");
    ASSERT_EQ(Scalar("PRAGMA journal_mode"), "delete");
    conn_.reset();
    bytes_ = ReadFile(path_);
    ASSERT_FALSE(bytes_.empty());
  }
  // Bytes 18 and 19 of the header are 1 in rollback-journal mode, 2 in WAL.
  void ExpectUnchanged() {
    std::string now = ReadFile(path_);
    ASSERT_GT(now.size(), 20u);
    EXPECT_EQ(static_cast<int>(now[18]), 1) << "the file was switched to WAL mode";
    EXPECT_TRUE(now == bytes_) << "the file's bytes changed";
    EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));
    EXPECT_FALSE(std::filesystem::exists(path_ + "-tandem.lock"));
  }
  std::string bytes_;
};

TEST_F(SqliteReadOnlyCommandsTest, PlanLeavesTheFileAsItWas) {
  auto planned = Tandem({"plan", WriteMigration("02_name.yaml", kUsersNameNotNull)});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_NE(planned.out.find("rebuilds table users"), std::string::npos) << planned.out;
  ExpectUnchanged();
}

TEST_F(SqliteReadOnlyCommandsTest, DiffIsRefusedBeforeTheFileIsOpened) {
  auto diffed = Tandem({"diff", "--source", "users", "--target", "users", "--key", "id"});
  EXPECT_EQ(diffed.exit_code, 2) << diffed.out << diffed.err;
  EXPECT_NE(diffed.err.find("diff needs PostgreSQL for now"), std::string::npos) << diffed.err;
  ExpectUnchanged();
}

// status and history on a file tandem never ran on report nothing and
// create nothing: no state tables appear.
TEST_F(SqliteReadOnlyCommandsTest, StatusAndHistoryOnAFileTandemNeverSawCreateNothing) {
  auto status = Tandem({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("no migration in progress"), std::string::npos) << status.out;
  auto history = Tandem({"--json", "history"});
  EXPECT_EQ(history.exit_code, 0) << history.out << history.err;
  int code = -1;
  std::string tables = Capture("sqlite3 " + ShellQuote(path_) +
                                   " \"SELECT count(*) FROM sqlite_schema WHERE name LIKE "
                                   "'tandem%'\"",
                               code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(tables, "0\n") << "state tables were created by a command that only looks";
}

}  // namespace
}  // namespace tandem::testing
