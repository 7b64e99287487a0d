// The plan start stores is what backfill, verify and complete run. It is
// derived again from the stored file before each of them: a plan edited in
// the state store is refused, naming where it differs, before it runs.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"
#include "support/edited_plan.h"

namespace tandem::testing {
namespace {

class StoredPlanTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
        "INSERT INTO users SELECT i, 'User' || i || '@Example.com' FROM generate_series(1, 2000) "
        "i");
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("02_email_key.yaml", kLowerEmailKey)})
            .exit_code,
        0);
  }
};

TEST_F(StoredPlanTest, AnEditedPlanIsRefusedBeforeBackfillVerifyAndComplete) {
  Exec("UPDATE tandem.migrations SET plan = replace(plan::text, 'lower(', 'upper(')::jsonb");
  ExpectRefusedNamingTheEdit(Tandem({"backfill"}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE _tandem_new_email_key IS NOT NULL"), "0")
      << "the edited backfill ran";
  ExpectRefusedNamingTheEdit(Tandem({"verify"}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.verify_runs"), "0");
  ExpectRefusedNamingTheEdit(Tandem({"complete"}));
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "active");
  EXPECT_EQ(Tandem({"rollback"}).exit_code, 0);
}

TEST_F(StoredPlanTest, AnUneditedPlanRuns) {
  CommandResult backfill = Tandem({"backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_EQ(Tandem({"verify"}).exit_code, 0);
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE email_key = lower(email)"), "2000");
}

}  // namespace
}  // namespace tandem::testing
