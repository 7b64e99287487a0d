// A start cut short between its steps, as a killed runner leaves it: the
// next start resumes where it stopped and runs no finished step again.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>

#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

// Thrown from the reporter to end a run at that point, as a kill would.
struct Killed {};

class RunnerResumeTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(300);
    migration_ = WriteMigration("02_name.yaml", kUsersNameNotNull);
    auto planner = NewRunner();
    auto plan = (*planner)->Plan(migration_);
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    expand_ = plan->expand;
    ASSERT_GE(expand_.size(), 3u) << "the test needs steps before and after the cut";
  }

  // Runs `command` on a new runner and kills it once the event of step
  // `step` (1-based) of `phase` is recorded, before its progress is.
  void KilledAfterStep(const std::string& phase, int step,
                       const std::function<Status(Runner&)>& command) {
    auto killed = NewRunner();
    killed->reporter.after_call = [phase, step](const ReportedCall& call) {
      if (call.kind == ReportedCall::Kind::kStepDone && call.phase == phase && call.index == step) {
        throw Killed{};
      }
    };
    EXPECT_THROW((void)command(*killed->runner), Killed);
  }

  void StartKilledAfterStep(int step) {
    KilledAfterStep("expand", step,
                    [this](Runner& runner) { return runner.Start(migration_, {}); });
  }

  // How many `ok` events each step of `phase` has.
  std::map<std::string, int> OkEventsPerStep(long long id, const std::string& phase) {
    auto events = State().Events(id);
    EXPECT_TRUE(events.ok()) << events.status().message();
    std::map<std::string, int> counts;
    if (!events.ok()) return counts;
    for (const auto& recorded : *events) {
      const Event& e = recorded.event;
      if (e.kind == "step" && e.phase == phase && e.outcome == "ok") ++counts[e.description];
    }
    return counts;
  }

  void ExpectEachExpandStepRanOnce(long long id) {
    std::map<std::string, int> expected;
    for (const auto& step : expand_) expected[step.description] = 1;
    EXPECT_EQ(OkEventsPerStep(id, "expand"), expected);
  }

  plan::Migration migration_;
  std::vector<plan::Step> expand_;
};

TEST_F(RunnerResumeTest, StartKilledBetweenStepsResumesAtTheNextStep) {
  StartKilledAfterStep(1);
  MigrationRecord record = Record("02_name");
  // What the runner writes next: the step's progress. Killed after that,
  // it leaves the record as here.
  ASSERT_TRUE(State().SetStepsDone(record.id, 1).ok());
  ASSERT_EQ(Record("02_name").phase, kPhaseStarting);

  auto resumed = NewRunner();
  Status started = (*resumed)->Start(migration_, {});
  ASSERT_TRUE(started.ok()) << started.message();
  EXPECT_TRUE(resumed->reporter.NoteContaining("resuming start of \"02_name\" at step 2"))
      << ::testing::PrintToString(resumed->reporter.Notes());
  std::vector<ReportedCall> steps = resumed->reporter.Of(ReportedCall::Kind::kStepDone);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().index, 2) << steps.front().step;
  EXPECT_EQ(steps.size(), expand_.size() - 1);
  ExpectEachExpandStepRanOnce(record.id);
  record = Record("02_name");
  EXPECT_EQ(record.phase, kPhaseActive);
  EXPECT_TRUE(record.backfill_done);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE _tandem_new_name = 'anonymous'"), "100");
}

// The step's DDL and its event are written, its progress (steps_done) not:
// the event log says the step ran, so the resumed start does not run it
// again (its CREATE would fail on the object it made).
TEST_F(RunnerResumeTest, StartKilledAfterAStepsEventDoesNotRunThatStepAgain) {
  StartKilledAfterStep(2);
  MigrationRecord record = Record("02_name");
  ASSERT_EQ(record.steps_done, 1);

  auto resumed = NewRunner();
  Status started = (*resumed)->Start(migration_, {});
  ASSERT_TRUE(started.ok()) << started.message();
  std::vector<ReportedCall> steps = resumed->reporter.Of(ReportedCall::Kind::kStepDone);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().index, 3) << steps.front().step;
  ExpectEachExpandStepRanOnce(record.id);
  EXPECT_EQ(Record("02_name").phase, kPhaseActive);
}

// The same window in a rollback: the resumed rollback goes on after the
// step whose event was written and leaves the table as it was.
TEST_F(RunnerResumeTest, RollbackKilledAfterAStepsEventDoesNotRunThatStepAgain) {
  std::string before = Scalar("SELECT sql FROM sqlite_schema WHERE name = 'users'");
  StartOptions skip;
  skip.skip_backfill = true;
  ASSERT_TRUE((*NewRunner())->Start(migration_, skip).ok());
  KilledAfterStep("rollback", 1, [](Runner& runner) { return runner.Rollback(); });
  MigrationRecord record = Record("02_name");
  ASSERT_EQ(record.phase, kPhaseRollingBack);
  ASSERT_EQ(record.steps_done, 0);

  Status rolled_back = (*NewRunner())->Rollback();
  ASSERT_TRUE(rolled_back.ok()) << rolled_back.message();
  EXPECT_EQ(Record("02_name").phase, kPhaseRolledBack);
  std::map<std::string, int> counts = OkEventsPerStep(record.id, "rollback");
  ASSERT_GE(counts.size(), 2u);
  for (const auto& [step, count] : counts) EXPECT_EQ(count, 1) << step;
  EXPECT_EQ(Scalar("SELECT sql FROM sqlite_schema WHERE name = 'users'"), before);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%tandem%' AND name NOT "
                   "LIKE 'tandem\\_%' ESCAPE '\\'"),
            "0");
}

// A backfill stopped after its first chunk (as SIGINT stops it) leaves the
// migration active; `backfill` carries on and stores each row once.
TEST_F(RunnerResumeTest, BackfillStoppedAfterAChunkContinuesWithoutStoringARowTwice) {
  StartOptions skip;
  skip.skip_backfill = true;
  ASSERT_TRUE((*NewRunner())->Start(migration_, skip).ok());
  Exec(
      "CREATE TABLE stored (n INTEGER NOT NULL); INSERT INTO stored VALUES (0);"
      "CREATE TRIGGER count_stored AFTER UPDATE OF _tandem_written_by ON users "
      "BEGIN UPDATE stored SET n = n + 1; END");
  std::atomic<bool> stop{false};
  RunnerOptions options;
  options.batch_size = 50;
  options.stop_requested = &stop;
  auto stopped = NewRunner(options);
  stopped->reporter.after_call = [&stop](const ReportedCall& call) {
    if (call.kind == ReportedCall::Kind::kBackfillProgress) stop = true;
  };
  Status first = (*stopped)->Backfill();
  EXPECT_EQ(first.kind(), ErrorKind::kInterrupted) << first.message();
  EXPECT_FALSE(Record("02_name").backfill_done);
  std::string stored_first = Scalar("SELECT n FROM stored");
  EXPECT_NE(stored_first, "0");
  EXPECT_NE(stored_first, "300");
  stopped.reset();
  stop = false;

  Status second = (*NewRunner(options))->Backfill();
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_TRUE(Record("02_name").backfill_done);
  EXPECT_EQ(Scalar("SELECT n FROM stored"), "300");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE _tandem_new_name = coalesce(name, "
                   "'anonymous') AND _tandem_written_by IS NOT NULL"),
            "300");
}

}  // namespace
}  // namespace tandem::core::testing
