// Writes through the new version's views on SQLite files: rows the backfill
// has not reached yet can be updated and deleted, and a NOT NULL the new
// version declares fails with SQLite's own message for the user's column.
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"
#include "support/split_name_scenario.h"

namespace tandem::testing {
namespace {

constexpr char kView[] = "customers__02_customers_split_name";

class SqliteNewVersionWritesTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    if (!HasFatalFailure()) Exec(split_name::kSqliteCustomers);
  }
};

TEST_F(SqliteNewVersionWritesTest, UpdatesAndDeletesBeforeTheBackfillKeepWhatTheNewVersionWrote) {
  // The new version's balance is REAL: `down` makes 99.0 of it.
  split_name::Run({[this](const std::vector<std::string>& args) { return Tandem(args); },
                   [this](const std::string& sql) { return conn_->Execute(sql); },
                   [this](const std::string& sql) { return Scalar(sql); }, kView,
                   "CAST(99.0 AS TEXT)"});
}

TEST_F(SqliteNewVersionWritesTest, NotNullViolationNamesTheUsersColumn) {
  CommandResult start = Tandem({"start", split_name::MigrationPath()});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  std::string view = kView;
  std::string insert_null =
      "INSERT INTO " + view + " (first_name, email, balance) VALUES (NULL, 'x@example.com', 1)";
  Status insert = conn_->Execute(insert_null);
  EXPECT_NE(insert.message().find("NOT NULL constraint failed: customers.first_name"),
            std::string::npos)
      << insert.message();
  Status update = conn_->Execute("UPDATE " + view + " SET balance = NULL WHERE id = 1");
  EXPECT_NE(update.message().find("NOT NULL constraint failed: customers.balance"),
            std::string::npos)
      << update.message();
  EXPECT_EQ(Scalar("SELECT balance FROM " + view + " WHERE id = 1"), "1.25");
  EXPECT_EQ(Scalar("SELECT count(*) FROM customers"), "200");
  // After complete the column itself is NOT NULL: the same message.
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  Status after = conn_->Execute(insert_null);
  EXPECT_NE(after.message().find("NOT NULL constraint failed: customers.first_name"),
            std::string::npos)
      << after.message();
}

}  // namespace
}  // namespace tandem::testing
