// Two runners that keep their records in different state schemas
// (--state-schema) still migrate the same tables: the runner lock, start's
// checks and rollback must look at the migrated schema, not at the records.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/strings.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kAccounts[] = R"sql(
CREATE TABLE accounts (id bigserial PRIMARY KEY, owner text, balance integer NOT NULL DEFAULT 0);
INSERT INTO accounts (owner) SELECT 'owner ' || i FROM generate_series(1, 2000) i;
)sql";

// Both files add the same column under the same version schema: every
// object the second creates has the name the first would give its own.
constexpr char kUpper[] = R"y(version_schema: owner
operations:
  - add_column:
      table: accounts
      up: upper(owner)
      column: {name: owner_case, type: text, nullable: true}
)y";

constexpr char kLower[] = R"y(version_schema: owner
operations:
  - add_column:
      table: accounts
      up: lower(owner)
      column: {name: owner_case, type: text, nullable: true}
)y";

class StateSchemasTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    if (!HasFatalFailure()) Exec(kAccounts);
  }
  // Whether an old-version write still fills the new column with lower().
  std::string OldVersionWriteFillsLower() {
    Exec("UPDATE accounts SET owner = 'Mixed Case' WHERE id = 1");
    return Scalar("SELECT _tandem_new_owner_case = 'mixed case' FROM accounts WHERE id = 1");
  }
};

TEST_F(StateSchemasTest, TheRunnerLockCoversTheSchemaWhateverTheStateSchema) {
  std::string upper = WriteMigration("02_upper.yaml", kUpper);
  auto blocker = Connect();
  ASSERT_TRUE(blocker->Execute("BEGIN; SELECT count(*) FROM accounts").ok());
  CommandResult first;
  std::thread runner([&] { first = Tandem({"--lock-timeout", "100ms", "start", upper}); });
  // Wait until the first runner is retrying its DDL, i.e. holds the runner lock.
  EXPECT_TRUE(WaitForRunnerLock());
  // (Were it let in, it would queue behind the blocker: 5 s at most.)
  CommandResult second = Tandem({"--state-schema", "other", "--lock-deadline", "5s", "start",
                                 WriteMigration("03_lower.yaml", kLower)});
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("another tandem runner"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("pid "), std::string::npos) << "names the holder: " << second.err;
  ASSERT_TRUE(blocker->Execute("COMMIT").ok());
  runner.join();
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'other'"), "0");
}

TEST_F(StateSchemasTest, StartRefusesATableAnotherStateSchemasMigrationHasInFlight) {
  ASSERT_EQ(Tandem({"start", WriteMigration("02_upper.yaml", kUpper)}).exit_code, 0);
  std::string before = SchemaDump(url_);
  // A version schema of its own, so only the table is shared.
  std::string lower = ReplaceAll(kLower, "version_schema: owner", "version_schema: lower");
  CommandResult second =
      Tandem({"--state-schema", "other", "start", WriteMigration("03_lower.yaml", lower)});
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("\"accounts\""), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("_tandem_dual_write"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("\"tandem\""), std::string::npos)
      << "names the state schema of the migration in flight: " << second.err;
  EXPECT_EQ(SchemaDump(url_), before) << "a refused start changes nothing";
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'other'"), "0");
  ASSERT_EQ(Tandem({"rollback"}).exit_code, 0);
  EXPECT_EQ(Tandem({"--state-schema", "other", "start", WriteMigration("03_lower.yaml", kLower)})
                .exit_code,
            0)
      << "once the first migration is undone, the table is free";
}

TEST_F(StateSchemasTest, RollbackDropsOnlyWhatItsOwnMigrationCreated) {
  // The first migration stops at its first step, having created nothing.
  auto blocker = Connect();
  ASSERT_TRUE(blocker->Execute("BEGIN; SELECT count(*) FROM accounts").ok());
  CommandResult stopped = Tandem({"--lock-timeout", "100ms", "--lock-deadline", "1s", "start",
                                  WriteMigration("02_upper.yaml", kUpper)});
  ASSERT_EQ(stopped.exit_code, 3) << stopped.err;
  ASSERT_TRUE(blocker->Execute("COMMIT").ok());
  ASSERT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "starting");
  // Another state schema's migration then creates objects of the same names.
  CommandResult other =
      Tandem({"--state-schema", "other", "start", WriteMigration("03_lower.yaml", kLower)});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  std::string before = SchemaDump(url_);

  CommandResult rollback = Tandem({"rollback"});
  EXPECT_EQ(rollback.exit_code, 0) << rollback.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "rolled_back");
  EXPECT_EQ(SchemaDump(url_), before) << "the rollback dropped another migration's objects";
  EXPECT_EQ(OldVersionWriteFillsLower(), "t");
  EXPECT_EQ(Scalar("SELECT count(*) FROM public_owner.accounts"), "2000");
  EXPECT_EQ(Tandem({"--state-schema", "other", "complete"}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM accounts WHERE owner_case = lower(owner)"), "2000");
}

}  // namespace
}  // namespace tandem::testing
