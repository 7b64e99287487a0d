// The rollback rehearsal in process, on a real SQLite file: every phase
// timed on an online backup of the file, the real file untouched, the copy
// removed after success and after a failure injected part-way, and the
// result recorded as the migration's reversibility evidence.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/rehearsal.h"
#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"
#include "plan/plan_json.h"

namespace tandem::core::testing {
namespace {

class RunnerRehearseTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(300);
    migration_ = WriteMigration("02_name.yaml", kUsersNameNotNull);
  }
  // Scratch copies this process made that are still on disk.
  static int CopiesLeft() {
    int left = 0;
    std::string prefix = "tandem-rehearsal-" + std::to_string(getpid()) + "_";
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
      left += entry.path().filename().string().rfind(prefix, 0) == 0 ? 1 : 0;
    }
    return left;
  }
  std::optional<Rehearsal> Recorded() {
    auto last = LastRehearsal(*conn_, backend::Engine::kSqlite, "tandem", "main", "02_name");
    EXPECT_TRUE(last.ok()) << last.status().message();
    return last.ok() ? *last : std::nullopt;
  }
  // The real file still has no trace of the migration.
  void ExpectUntouched() {
    EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name LIKE "
                     "'\\_tandem%' ESCAPE '\\'"),
              "0");
    EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL"), "100");
  }

  plan::Migration migration_;
};

TEST_F(RunnerRehearseTest, TimesEveryPhaseOnACopyAndRecordsIt) {
  RehearseOptions options;
  options.by = "ana";
  auto rehearsal = (*NewRunner())->Rehearse(migration_, options);
  ASSERT_TRUE(rehearsal.ok()) << rehearsal.status().message();
  ASSERT_EQ(rehearsal->phases.size(), 6u);
  EXPECT_EQ(rehearsal->phases[1].phase, "backfill");
  EXPECT_EQ(rehearsal->phases[5].phase, "rollback");
  for (const auto& p : rehearsal->phases) EXPECT_GT(p.seconds, 0) << p.phase;
  EXPECT_EQ(rehearsal->rows_copied, 300);
  EXPECT_EQ(rehearsal->rows_real, 300);
  EXPECT_EQ(CopiesLeft(), 0);
  ExpectUntouched();
  std::optional<Rehearsal> recorded = Recorded();
  ASSERT_TRUE(recorded.has_value());
  EXPECT_TRUE(recorded->passed);
  auto planned = (*NewRunner())->Plan(migration_);
  ASSERT_TRUE(planned.ok()) << planned.status().message();
  EXPECT_EQ(recorded->checksum, plan::BoundChecksum(*planned, migration_))
      << "bound to the plan it rehearsed";
  EXPECT_DOUBLE_EQ(recorded->RollbackSeconds(), rehearsal->RollbackSeconds());
}

TEST_F(RunnerRehearseTest, TheMigrationsTimeLimitDoesNotCutTheRehearsalShort) {
  // Long past 1ms by the backfill: a limit of the real migration only.
  plan::Migration limited =
      WriteMigration("02_name.yaml", std::string(kUsersNameNotNull) + "run:\n  max_runtime: 1ms\n");
  auto rehearsal = (*NewRunner())->Rehearse(limited, {});
  ASSERT_TRUE(rehearsal.ok()) << rehearsal.status().message();
  EXPECT_EQ(rehearsal->phases.size(), 6u);
  EXPECT_EQ(CopiesLeft(), 0);
}

TEST_F(RunnerRehearseTest, SampleIsExtrapolatedToTheRealRows) {
  RehearseOptions sample;
  sample.rows = 30;
  auto rehearsal = (*NewRunner())->Rehearse(migration_, sample);
  ASSERT_TRUE(rehearsal.ok()) << rehearsal.status().message();
  EXPECT_EQ(rehearsal->rows_copied, 30);
  const PhaseTiming& backfill = rehearsal->phases[1];
  EXPECT_DOUBLE_EQ(backfill.extrapolated_seconds, backfill.seconds * 10);
  const PhaseTiming& expand = rehearsal->phases[0];
  EXPECT_DOUBLE_EQ(expand.extrapolated_seconds, expand.seconds) << "expand does not grow";
  EXPECT_EQ(CopiesLeft(), 0);
}

TEST_F(RunnerRehearseTest, InjectedFailureRemovesTheCopyAndIsRecorded) {
  RehearseOptions injected;
  injected.fail_after = "switch";
  auto failed = (*NewRunner())->Rehearse(migration_, injected);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("failure injected after switch"), std::string::npos)
      << failed.status().message();
  EXPECT_EQ(CopiesLeft(), 0);
  ExpectUntouched();
  std::optional<Rehearsal> recorded = Recorded();
  ASSERT_TRUE(recorded.has_value());
  EXPECT_FALSE(recorded->passed);
  EXPECT_EQ(recorded->phases.size(), 4u) << "expand, backfill, verify, switch were timed";
  EXPECT_NE(recorded->failure.find("failure injected"), std::string::npos);
}

}  // namespace
}  // namespace tandem::core::testing
