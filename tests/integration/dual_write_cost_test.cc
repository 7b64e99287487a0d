// Which writes enter the dual-write trigger's function on a real server.
// An update of a row the backfill has reached that sets none of the columns
// `up` or `down` reads or sets must not (the application pays nothing for
// it), through either version. An insert, an update of a column `up` reads,
// the new version's update of a new column and any update of a row the
// backfill has not reached must.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"
#include "support/split_name_scenario.h"

namespace tandem::testing {
namespace {

constexpr char kVersion[] = "public_02_customers_split_name";

// Calls of tandem's trigger functions so far in the session's transaction
// (counted without waiting for the statistics to be flushed).
constexpr char kCalls[] =
    "SELECT coalesce(sum(pg_stat_get_xact_function_calls(p.oid)), 0) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = 'tandem' AND p.proname LIKE 'dual\\_write%'";

class DualWriteCostTest : public PgTest {
 protected:
  void SetUpDatabase() override { Exec(split_name::kPostgresCustomers); }
  // Starts the migration (`extra`: arguments of start) and a transaction
  // whose function calls are counted.
  void Start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"start"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(split_name::MigrationPath());
    CommandResult start = Tandem(args);
    ASSERT_EQ(start.exit_code, 0) << start.err;
    conn_ = Connect();
    ASSERT_NE(conn_, nullptr);
    ASSERT_TRUE(conn_->Execute("SET track_functions = 'pl'; BEGIN").ok());
  }
  std::string AsNew(const std::string& sql) {
    return std::string("SET LOCAL search_path TO ") + kVersion + "; " + sql +
           "; SET LOCAL search_path TO public";
  }
  void TearDown() override {
    if (conn_ != nullptr) {
      EXPECT_TRUE(conn_->Execute("COMMIT").ok());
    }
    conn_.reset();
    PgTest::TearDown();
  }
  // How many times `sql` entered a trigger function.
  long long Calls(const std::string& sql) {
    long long before = Count();
    Status run = conn_->Execute(sql);
    EXPECT_TRUE(run.ok()) << sql << ": " << run.message();
    return Count() - before;
  }
  long long Count() {
    auto calls = conn_->Query(kCalls);
    EXPECT_TRUE(calls.ok()) << calls.status().message();
    return calls.ok() ? std::stoll(calls->Scalar().value_or("-1")) : -1;
  }
  std::unique_ptr<backend::Connection> conn_;
};

TEST_F(DualWriteCostTest, UnrelatedColumnUpdateSkipsTheFunction) {
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Calls("UPDATE customers SET email = email || 'x' WHERE id <= 10"), 0);
  EXPECT_EQ(Calls("UPDATE customers SET created_at = now() WHERE id <= 10"), 0);
  // The new version's update of a column the dual-write neither reads nor
  // sets leaves both versions' columns as consistent as they were.
  EXPECT_EQ(Calls(AsNew("UPDATE customers SET email = 'n@example.com' WHERE id = 12")), 0);
}

TEST_F(DualWriteCostTest, WritesThatNeedItEnterTheFunction) {
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Calls("UPDATE customers SET full_name = 'Bo Wu' WHERE id <= 10"), 10);
  EXPECT_EQ(Calls("UPDATE customers SET balance = '7', email = 'b@example.com' WHERE id = 11"), 1);
  EXPECT_EQ(Calls("INSERT INTO customers (full_name, email) VALUES ('Cy Po', 'cy@example.com')"),
            1);
  EXPECT_EQ(Calls(AsNew("UPDATE customers SET first_name = 'Di' WHERE id = 13")), 1);
  EXPECT_EQ(Calls(AsNew("UPDATE customers SET balance = 3 WHERE id = 14")), 1);
  EXPECT_EQ(
      Calls(AsNew("INSERT INTO customers (first_name, email, balance) VALUES ('Ed', 'e@x', 2)")),
      1);
}

// A row the backfill has not reached gets `up` on any update, through
// either version: the NOT VALID check that stands in for NOT NULL holds for
// every row an update writes. Once reached, the row costs nothing more.
TEST_F(DualWriteCostTest, UnreachedRowsGetUpOnAnyUpdate) {
  ASSERT_NO_FATAL_FAILURE(Start({"--skip-backfill"}));
  EXPECT_EQ(Calls("UPDATE customers SET email = email || 'x' WHERE id <= 10"), 10);
  EXPECT_EQ(Calls(AsNew("UPDATE customers SET email = 'n@example.com' WHERE id = 12")), 1);
  EXPECT_EQ(Calls("UPDATE customers SET email = email || 'y' WHERE id <= 12"), 1);
  ASSERT_TRUE(conn_->Execute("COMMIT; BEGIN").ok());
  EXPECT_EQ(Scalar("SELECT string_agg(_tandem_written_by::text || _tandem_new_first_name, ',' "
                   "ORDER BY id) FROM customers WHERE id IN (1, 10, 11, 12)"),
            "oAnn1,oAnn10,oAnn11,nAnn12");
}

// What the skipped writes leave is still what dual-write promises: verify
// passes.
TEST_F(DualWriteCostTest, SkippedWritesStillVerify) {
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_EQ(Calls("UPDATE customers SET email = email || 'x'"), 0);
  EXPECT_EQ(Calls("UPDATE customers SET full_name = 'Fay Gu' WHERE id = 3"), 1);
  EXPECT_EQ(Calls(AsNew("UPDATE customers SET email = 'n@example.com' WHERE id = 5")), 0);
  ASSERT_TRUE(conn_->Execute("COMMIT").ok());
  conn_.reset();
  CommandResult verify = Tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(ScalarIn(kVersion, "SELECT first_name || '/' || last_name FROM customers WHERE id = 3"),
            "Fay/Gu");
  EXPECT_EQ(ScalarIn(kVersion, "SELECT email FROM customers WHERE id = 4"), "c4@example.comx");
  EXPECT_EQ(ScalarIn(kVersion, "SELECT first_name || '/' || email FROM customers WHERE id = 5"),
            "Ann5/n@example.com");
}

}  // namespace
}  // namespace tandem::testing
