// On SQLite too, the stored plan is derived again from the stored file
// before backfill, verify and complete, and an edited one is refused.
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"
#include "support/edited_plan.h"

namespace tandem::testing {
namespace {

class SqliteStoredPlanTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
        "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 500) "
        "INSERT INTO users SELECT i, 'User' || i || '@Example.com' FROM g");
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("02_email_key.yaml", kLowerEmailKey)})
            .exit_code,
        0);
  }
};

TEST_F(SqliteStoredPlanTest, AnEditedPlanIsRefusedBeforeBackfillVerifyAndComplete) {
  Exec("UPDATE tandem_migrations SET plan = replace(plan, 'lower(', 'upper(')");
  ExpectRefusedNamingTheEdit(Tandem({"backfill"}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE email_key IS NOT NULL"), "0")
      << "the edited backfill ran";
  ExpectRefusedNamingTheEdit(Tandem({"verify"}));
  ExpectRefusedNamingTheEdit(Tandem({"complete"}));
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "active");
}

TEST_F(SqliteStoredPlanTest, AnUneditedPlanRuns) {
  CommandResult backfill = Tandem({"backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE email_key = lower(email)"), "500");
}

}  // namespace
}  // namespace tandem::testing
