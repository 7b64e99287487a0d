// The Runner in process on a SQLite file: a migration through start,
// backfill, verify and complete, as the reporter tells it and as the state
// store records it.
#include <gtest/gtest.h>

#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

// "phase kind description outcome" of each event, oldest first.
std::vector<std::string> EventLines(StateStore& state, long long id, const std::string& kind) {
  auto events = state.Events(id);
  EXPECT_TRUE(events.ok()) << events.status().message();
  std::vector<std::string> lines;
  if (!events.ok()) return lines;
  for (const auto& recorded : *events) {
    const Event& e = recorded.event;
    if (e.kind == kind) lines.push_back(e.phase + " " + e.description + " " + e.outcome);
  }
  return lines;
}

// What the reporter says of a phase that ran `steps` steps from the first.
std::vector<std::string> PhaseOutline(const std::string& phase, size_t steps) {
  std::vector<std::string> lines = {phase + " started"};
  for (size_t i = 1; i <= steps; ++i) {
    lines.push_back(phase + " step " + std::to_string(i) + "/" + std::to_string(steps));
  }
  lines.push_back(phase + " finished");
  return lines;
}

class RunnerLifecycleTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override { CreateUsers(300); }
};

TEST_F(RunnerLifecycleTest, StartBackfillVerifyCompleteInOrder) {
  plan::Migration migration = WriteMigration("02_name.yaml", kUsersNameNotNull);
  auto tandem = NewRunner();
  auto plan = (*tandem)->Plan(migration);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_GE(plan->expand.size(), 2u);

  Status started = (*tandem)->Start(migration, {});
  ASSERT_TRUE(started.ok()) << started.message();
  MigrationRecord record = Record("02_name");
  EXPECT_EQ(record.phase, kPhaseActive);
  EXPECT_TRUE(record.backfill_done);
  auto pass = (*tandem)->Verify({});
  ASSERT_TRUE(pass.ok()) << pass.status().message();
  EXPECT_TRUE(pass->report.passed()) << pass->report.flags;
  Status completed = (*tandem)->Complete();
  ASSERT_TRUE(completed.ok()) << completed.message();

  record = Record("02_name");
  EXPECT_EQ(record.phase, kPhaseCompleted);
  EXPECT_NE(record.completed_at, "");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'anonymous'"), "100");
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL"), "0");

  std::vector<std::string> outline = PhaseOutline("expand", plan->expand.size());
  outline.push_back("backfill started");
  outline.push_back("backfill finished");
  for (const auto& line : PhaseOutline("complete", plan->complete.size())) outline.push_back(line);
  EXPECT_EQ(tandem->reporter.Outline(), outline);

  EXPECT_EQ(
      EventLines(State(), record.id, "phase"),
      (std::vector<std::string>{"expand expand started ok", "expand expand finished ok",
                                "complete complete started ok", "complete complete finished ok"}));
  std::vector<std::string> steps;
  for (const auto& step : plan->expand) steps.push_back("expand " + step.description + " ok");
  for (const auto& step : plan->complete) steps.push_back("complete " + step.description + " ok");
  EXPECT_EQ(EventLines(State(), record.id, "step"), steps);
  EXPECT_EQ(EventLines(State(), record.id, "backfill"),
            (std::vector<std::string>{"backfill backfill users ok"}));
  EXPECT_EQ(EventLines(State(), record.id, "verify"),
            (std::vector<std::string>{"verify full verification ok"}));
}

}  // namespace
}  // namespace tandem::core::testing
