// Which writes of the old version run the base table's dual-write trigger
// on a SQLite file. An update that sets none of the columns `up` or `down`
// reads or sets must not: seen on a row the backfill has not reached, which
// the trigger would bring in sync (marker 'o', new columns holding `up`).
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"
#include "support/split_name_scenario.h"

namespace tandem::testing {
namespace {

constexpr char kView[] = "customers__02_customers_split_name";

class SqliteDualWriteCostTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    Exec(split_name::kSqliteCustomers);
    CommandResult start = Tandem({"start", "--skip-backfill", split_name::MigrationPath()});
    ASSERT_EQ(start.exit_code, 0) << start.err;
  }
  // Whether the trigger has synced the row: its marker.
  std::string Marker(int id) {
    return Scalar("SELECT coalesce(_tandem_written_by, 'none') FROM customers WHERE id = " +
                  std::to_string(id));
  }
};

TEST_F(SqliteDualWriteCostTest, UnrelatedColumnUpdateSkipsTheTrigger) {
  Exec("UPDATE customers SET email = email || 'x' WHERE id = 1");
  Exec("UPDATE customers SET created_at = '2020-01-01' WHERE id = 2");
  EXPECT_EQ(Marker(1), "none");
  EXPECT_EQ(Marker(2), "none");
}

TEST_F(SqliteDualWriteCostTest, WritesThatNeedItRunTheTrigger) {
  Exec("UPDATE customers SET full_name = 'Bo Wu' WHERE id = 3");
  Exec("UPDATE customers SET balance = '7', email = 'b@example.com' WHERE id = 4");
  Exec("INSERT INTO customers (id, full_name, email) VALUES (1000, 'Cy Po', 'cy@example.com')");
  EXPECT_EQ(Marker(3), "o");
  EXPECT_EQ(Marker(4), "o");
  EXPECT_EQ(Marker(1000), "o");
  EXPECT_EQ(
      Scalar(std::string("SELECT first_name || '/' || balance FROM ") + kView + " WHERE id = 4"),
      "Ann4/7.0");
}

// The rows the trigger skipped are the backfill's: verify passes after it.
TEST_F(SqliteDualWriteCostTest, SkippedWritesStillVerify) {
  Exec("UPDATE customers SET email = email || 'x'");
  Exec(std::string("UPDATE ") + kView + " SET email = 'n@example.com' WHERE id = 5");
  CommandResult backfill = Tandem({"backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  CommandResult verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(
      Scalar(std::string("SELECT first_name || '/' || email FROM ") + kView + " WHERE id = 5"),
      "Ann5/n@example.com");
}

}  // namespace
}  // namespace tandem::testing
