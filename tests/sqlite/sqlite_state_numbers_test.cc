// A number in tandem's state that is not a number (a record edited by hand,
// or restored from something else) is reported as such, naming the column
// and the value, instead of ending the process.
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class SqliteStateNumbersTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(10);
    CommandResult start = Tandem({"start", WriteMigration("01_nickname.yaml", kUsersAddNickname)});
    ASSERT_EQ(start.exit_code, 0) << start.err;
  }
};

TEST_F(SqliteStateNumbersTest, AStepCountThatIsNotANumberIsNamed) {
  Exec("UPDATE tandem_migrations SET steps_done = 'three'");
  CommandResult status = Tandem({"status"});
  EXPECT_EQ(status.exit_code, 1) << status.err;
  EXPECT_NE(status.err.find("steps_done"), std::string::npos) << status.err;
  EXPECT_NE(status.err.find("\"three\""), std::string::npos) << status.err;
  EXPECT_NE(status.err.find("tandem_migrations"), std::string::npos) << status.err;
}

}  // namespace
}  // namespace tandem::testing
