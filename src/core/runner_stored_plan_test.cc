// The stored plan is what backfill, verify and complete run; one edited
// behind tandem's back is refused before any of them runs it.
#include <gtest/gtest.h>

#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"
#include "support/edited_plan.h"

namespace tandem::core::testing {
namespace {

void ExpectRefusedNamingTheEdit(const Status& status) {
  EXPECT_EQ(status.kind(), ErrorKind::kRefused) << status.message();
  const std::string& message = status.message();
  EXPECT_NE(message.find("stored plan of migration \"02_email_key\""), std::string::npos)
      << message;
  EXPECT_NE(message.find("stored \""), std::string::npos) << message;
  EXPECT_NE(message.find("upper(NEW.\"email\")"), std::string::npos) << message;
  EXPECT_NE(message.find("lower(NEW.\"email\")"), std::string::npos) << message;
}

class RunnerStoredPlanTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(300);
    StartOptions options;
    options.skip_backfill = true;
    Status started =
        (*NewRunner())
            ->Start(WriteMigration("02_email_key.yaml", tandem::testing::kLowerEmailKey), options);
    ASSERT_TRUE(started.ok()) << started.message();
  }
};

TEST_F(RunnerStoredPlanTest, AnEditedPlanIsRefusedBeforeBackfillVerifyAndComplete) {
  Exec("UPDATE tandem_migrations SET plan = replace(plan, 'lower(', 'upper(')");
  ExpectRefusedNamingTheEdit((*NewRunner())->Backfill());
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE email_key IS NOT NULL"), "0");
  auto verify = (*NewRunner())->Verify({});
  ExpectRefusedNamingTheEdit(verify.status());
  ExpectRefusedNamingTheEdit((*NewRunner())->Complete());
  MigrationRecord record = Record("02_email_key");
  EXPECT_EQ(record.phase, kPhaseActive);
  EXPECT_FALSE(record.backfill_done);
  auto runs = State().VerifyRuns(record.id);
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  EXPECT_TRUE(runs->empty());
}

TEST_F(RunnerStoredPlanTest, AnUnreadablePlanIsRefusedNamingTheMigration) {
  Exec("UPDATE tandem_migrations SET plan = substr(plan, 1, 40)");
  Status backfill = (*NewRunner())->Backfill();
  EXPECT_EQ(backfill.kind(), ErrorKind::kRefused) << backfill.message();
  EXPECT_NE(backfill.message().find("stored plan of migration \"02_email_key\""), std::string::npos)
      << backfill.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE email_key IS NOT NULL"), "0");
}

TEST_F(RunnerStoredPlanTest, AnUneditedPlanRuns) {
  Status backfill = (*NewRunner())->Backfill();
  ASSERT_TRUE(backfill.ok()) << backfill.message();
  Status complete = (*NewRunner())->Complete();
  ASSERT_TRUE(complete.ok()) << complete.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE email_key = lower(email)"), "300");
}

// A plan stored by an earlier tandem release, whose steps were worded
// differently, still runs: the wording is not what runs.
TEST_F(RunnerStoredPlanTest, APlanWhoseStepsAreWordedDifferentlyRuns) {
  Exec(
      "UPDATE tandem_migrations SET plan = replace(plan, '\"description\":\"', "
      "'\"description\":\"(worded by an earlier release) ')");
  ASSERT_EQ(Scalar("SELECT count(*) FROM tandem_migrations WHERE plan LIKE '%worded by%'"), "1");
  Status backfill = (*NewRunner())->Backfill();
  ASSERT_TRUE(backfill.ok()) << backfill.message();
  Status complete = (*NewRunner())->Complete();
  ASSERT_TRUE(complete.ok()) << complete.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE email_key = lower(email)"), "300");
}

}  // namespace
}  // namespace tandem::core::testing
