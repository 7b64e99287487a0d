// Writes through the new version on a real server: rows the backfill has
// not reached yet can be updated and deleted, and a NOT NULL the new version
// declares fails as a real column's NOT NULL does (SQLSTATE 23502).
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"
#include "support/split_name_scenario.h"

namespace tandem::testing {
namespace {

constexpr char kVersion[] = "public_02_customers_split_name";

class NewVersionWritesTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    if (!HasFatalFailure()) Exec(split_name::kPostgresCustomers);
  }
  // Runs `sql` as the new version would; returns its status.
  Status InNewVersion(const std::string& sql) {
    auto conn = Connect();
    if (conn == nullptr) return Status::Internal("no connection");
    Status set = conn->Execute(std::string("SET search_path TO ") + kVersion);
    if (!set.ok()) return set;
    return conn->Execute(sql);
  }
};

TEST_F(NewVersionWritesTest, UpdatesAndDeletesBeforeTheBackfillKeepWhatTheNewVersionWrote) {
  split_name::Run({[this](const std::vector<std::string>& args) { return Tandem(args); },
                   [this](const std::string& sql) { return InNewVersion(sql); },
                   [this](const std::string& sql) { return Scalar(sql); }, "customers", "'99'"});
}

TEST_F(NewVersionWritesTest, NotNullViolationIsTheRealColumnsError) {
  CommandResult start = Tandem({"start", split_name::MigrationPath()});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  Status insert = InNewVersion(
      "INSERT INTO customers (first_name, email, balance) VALUES (NULL, 'x@example.com', 1)");
  EXPECT_EQ(insert.native_code(), "23502") << insert.message();
  EXPECT_NE(insert.message().find(
                "null value in column \"first_name\" of relation \"customers\" violates "
                "not-null constraint"),
            std::string::npos)
      << insert.message();
  Status update = InNewVersion("UPDATE customers SET balance = NULL WHERE id = 1");
  EXPECT_EQ(update.native_code(), "23502") << update.message();
  EXPECT_NE(update.message().find("null value in column \"balance\" of relation \"customers\""),
            std::string::npos)
      << update.message();
  EXPECT_EQ(ScalarIn(kVersion, "SELECT balance FROM customers WHERE id = 1"), "1.25");
  EXPECT_EQ(Scalar("SELECT count(*) FROM customers"), "200");
  // The old version may still write what `up` turns into a value.
  Exec("INSERT INTO customers (full_name, email) VALUES (NULL, 'old@example.com')");
  EXPECT_EQ(ScalarIn(kVersion,
                     "SELECT first_name || '/' || balance FROM customers WHERE email = "
                     "'old@example.com'"),
            "unknown/0");
  // After complete the column itself is NOT NULL: the same error.
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  Status after = InNewVersion(
      "INSERT INTO customers (first_name, email, balance) VALUES (NULL, 'x@example.com', 1)");
  EXPECT_EQ(after.native_code(), insert.native_code()) << after.message();
  EXPECT_NE(
      after.message().find("null value in column \"first_name\" of relation \"customers\" violates "
                           "not-null constraint"),
      std::string::npos)
      << after.message();
}

}  // namespace
}  // namespace tandem::testing
