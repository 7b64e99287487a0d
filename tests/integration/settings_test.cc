// The settings' lock section, end to end on PostgreSQL: a migration file's
// `lock:` and the config file's reach every DDL step, and a flag given
// wins over both.
#include <gtest/gtest.h>

#include <fstream>

#include "integration/items_table.h"

namespace tandem::testing {
namespace {

class LockSettingsTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(kItems);
    blocker_ = Connect();
    ASSERT_NE(blocker_, nullptr);
    ASSERT_TRUE(blocker_->Execute("BEGIN; SELECT count(*) FROM items").ok());
  }
  void TearDown() override {
    if (blocker_) (void)blocker_->Execute("ROLLBACK");
    blocker_.reset();
    PgTest::TearDown();
  }
  std::unique_ptr<backend::Connection> blocker_;
};

TEST_F(LockSettingsTest, TheFilesRetryAttemptsStopTheStepBeforeTheDeadline) {
  std::string file =
      WriteMigration("02_code.yaml", kCodeToInteger +
                                         "lock:\n  timeout: 50ms\n  retry_backoff: 10ms\n  "
                                         "retry_attempts: 2\n");
  auto start = Tandem({"start", file});
  EXPECT_EQ(start.exit_code, 3) << start.out << start.err;
  EXPECT_NE(start.err.find("after 2 attempts"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("within 50ms"), std::string::npos) << start.err;
}

TEST_F(LockSettingsTest, TheConfigFileUnderTheFileAndAGivenFlagOverBoth) {
  std::string config = TempDir() + "/lock_settings_tandem.yaml";
  std::ofstream(config) << "lock:\n  timeout: 70ms\n  retry_backoff: 10ms\n  retry_attempts: 3\n";
  std::string file = WriteMigration("02_code.yaml", kCodeToInteger);
  auto from_config = Tandem({"--config", config, "start", file});
  EXPECT_EQ(from_config.exit_code, 3) << from_config.err;
  EXPECT_NE(from_config.err.find("after 3 attempts"), std::string::npos) << from_config.err;
  EXPECT_NE(from_config.err.find("within 70ms"), std::string::npos) << from_config.err;
  auto with_flag = Tandem({"--config", config, "--lock-timeout", "90ms", "start", file});
  EXPECT_NE(with_flag.err.find("within 90ms"), std::string::npos) << with_flag.err;
}

}  // namespace
}  // namespace tandem::testing
