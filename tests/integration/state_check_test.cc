// Records that contradict the database (restored from a backup, edited by
// hand) are found by status and start, which name the step that clears
// them, instead of start failing half-way through its expand.
#include <gtest/gtest.h>

#include "integration/accounts_table.h"
#include "integration/pg_fixture.h"
#include "support/migration_yaml.h"

namespace tandem::testing {
namespace {

const std::string kAddLabel = AddColumnMigration("accounts", "label", "text", "upper(name)");

class StateCheckTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(AccountsTable(1000));
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("02_score.yaml", kAddScore)}).exit_code,
        0);
  }
};

TEST_F(StateCheckTest, AnActiveMigrationWhoseTriggerIsGone) {
  Exec("DROP TRIGGER _tandem_dual_write ON accounts");
  CommandResult status = Tandem({"status"});
  EXPECT_EQ(status.exit_code, 1) << status.err;
  EXPECT_NE(status.out.find("trigger on \"accounts\" is gone"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("tandem rollback"), std::string::npos) << status.out;
  CommandResult start = Tandem({"start", WriteMigration("02_score.yaml", kAddScore)});
  EXPECT_EQ(start.exit_code, 1) << start.err;
  EXPECT_NE(start.err.find("contradict"), std::string::npos) << start.err;
  // The step it names clears it.
  ASSERT_EQ(Tandem({"rollback"}).exit_code, 0);
  EXPECT_EQ(Tandem({"status"}).exit_code, 0);
  EXPECT_EQ(Tandem({"start", WriteMigration("02_score.yaml", kAddScore)}).exit_code, 0);
}

TEST_F(StateCheckTest, ACompletedMigrationWhoseTriggerIsStillInstalled) {
  Exec("UPDATE tandem.migrations SET phase = 'completed', completed_at = now()");
  CommandResult status = Tandem({"status"});
  EXPECT_EQ(status.exit_code, 1) << status.err;
  EXPECT_NE(status.out.find("is still installed"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("phase = 'active'"), std::string::npos) << status.out;
  std::string before = SchemaDump(url_);
  CommandResult next = Tandem({"start", WriteMigration("03_label.yaml", kAddLabel)});
  EXPECT_EQ(next.exit_code, 1) << next.err;
  EXPECT_NE(next.err.find("contradict"), std::string::npos) << next.err;
  EXPECT_EQ(SchemaDump(url_), before) << "a refused start changes nothing";
  // The step it names clears it.
  Exec("UPDATE tandem.migrations SET phase = 'active', completed_at = NULL");
  EXPECT_EQ(Tandem({"status"}).exit_code, 0);
  ASSERT_EQ(Tandem({"backfill"}).exit_code, 0);
  ASSERT_EQ(Tandem({"complete"}).exit_code, 0);
  EXPECT_EQ(Tandem({"start", WriteMigration("03_label.yaml", kAddLabel)}).exit_code, 0);
}

}  // namespace
}  // namespace tandem::testing
