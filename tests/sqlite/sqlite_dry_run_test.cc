// --dry-run on SQLite: the steps are printed with what they block, and the
// file is left as it was: before start byte for byte (journal mode
// included, no lock file), after start with tandem's records unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class SqliteDryRunTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(30);
    Exec("PRAGMA journal_mode = DELETE");
  }
  // Schema, rows and tandem's records: what a dry run must not touch.
  std::string Snapshot() {
    std::string records = "no records";
    if (Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'tandem_events'") == "1") {
      records = Scalar("SELECT count(*) FROM tandem_events") + " events, " +
                Scalar(
                    "SELECT group_concat(name || ' ' || phase || ' ' || steps_done || ' ' || "
                    "backfill_done) FROM tandem_migrations");
    }
    return Schema() + "|" + Rows("users") + "|" + records;
  }
};

TEST_F(SqliteDryRunTest, StartLeavesTheFileByteForByte) {
  conn_.reset();
  std::string bytes = ReadFile(path_);
  auto run = Tandem({"start", "--dry-run", WriteMigration("02_name.yaml", kUsersNameNotNull)});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("dry run of `tandem start`"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("lock: "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("backfill users"), std::string::npos) << run.out;
  EXPECT_TRUE(ReadFile(path_) == bytes) << "the file's bytes changed";
  EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path_ + "-tandem.lock"));
}

TEST_F(SqliteDryRunTest, BackfillSwitchAndCompleteLeaveTheRecordsAsTheyWere) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", WriteMigration("02_name.yaml", kUsersNameNotNull)})
                .exit_code,
            0);
  std::string before = Snapshot();
  ASSERT_NE(before.find("02_name active"), std::string::npos) << before;
  for (std::string command : {"backfill", "switch", "complete"}) {
    auto run = Tandem({"--json", command, "--dry-run"});
    ASSERT_EQ(run.exit_code, 0) << command << ": " << run.out << run.err;
    auto line = nlohmann::json::parse(run.out);
    EXPECT_EQ(line["command"], command);
    EXPECT_EQ(line["migration"], "02_name");
    EXPECT_EQ(line["recorded_phase"], "active");
  }
  auto complete = Tandem({"complete", "--dry-run"});
  EXPECT_NE(complete.out.find("rebuild"), std::string::npos) << complete.out;
  EXPECT_NE(complete.out.find("would be refused: the backfill has not finished"), std::string::npos)
      << complete.out;
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(Tandem({"backfill"}).exit_code, 0);
  EXPECT_NE(Snapshot(), before) << "the real backfill changes what the dry run did not";
}

}  // namespace
}  // namespace tandem::testing
