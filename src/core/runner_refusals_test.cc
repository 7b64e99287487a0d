// What the Runner refuses, in process on a SQLite file: each refusal has
// the documented Status kind (kRefused: exit 1, kBusy: exit 3), names the
// migration or table, and changes nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/strings.h"
#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class RunnerRefusalsTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(300);
    name_not_null_ = WriteMigration("02_name.yaml", kUsersNameNotNull);
  }

  // Starts 02_name (without its backfill when `backfill` is false) in a
  // runner that ends with this call.
  void Start(bool backfill = true) {
    StartOptions options;
    options.skip_backfill = !backfill;
    Status started = (*NewRunner())->Start(name_not_null_, options);
    ASSERT_TRUE(started.ok()) << started.message();
  }

  long long EventCount() {
    auto events = State().Events(Record("02_name").id);
    EXPECT_TRUE(events.ok()) << events.status().message();
    return events.ok() ? static_cast<long long>(events->size()) : -1;
  }

  plan::Migration name_not_null_;
};

TEST_F(RunnerRefusalsTest, StartOfAnotherMigrationWhileOneIsActive) {
  Start();
  auto tandem = NewRunner();
  Status second = (*tandem)->Start(WriteMigration("03_nick.yaml", kUsersAddNickname), {});
  EXPECT_EQ(second.kind(), ErrorKind::kRefused) << second.message();
  EXPECT_TRUE(Contains(second.message(), "\"02_name\" is in progress")) << second.message();
  EXPECT_TRUE(Contains(second.message(), "\"03_nick\"")) << second.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name LIKE '%nickname'"),
            "0");
}

// Records in another state schema do not hide the first migration's
// objects on the table.
TEST_F(RunnerRefusalsTest, StartOnATableInFlightElsewhere) {
  Start();
  RunnerOptions other;
  other.state_schema = "other";
  auto tandem = NewRunner(other);
  Status second = (*tandem)->Start(WriteMigration("03_nick.yaml", kUsersAddNickname), {});
  EXPECT_EQ(second.kind(), ErrorKind::kRefused) << second.message();
  EXPECT_TRUE(Contains(second.message(), "table \"users\" is in another migration"))
      << second.message();
  EXPECT_TRUE(Contains(second.message(), "_tandem_new_name")) << second.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'other_migrations'"), "0");
}

TEST_F(RunnerRefusalsTest, CompleteBeforeTheBackfillFinished) {
  Start(/*backfill=*/false);
  long long events = EventCount();
  Status complete = (*NewRunner())->Complete();
  EXPECT_EQ(complete.kind(), ErrorKind::kRefused) << complete.message();
  EXPECT_TRUE(Contains(complete.message(), "backfill of \"02_name\" has not finished"))
      << complete.message();
  EXPECT_EQ(Record("02_name").phase, kPhaseActive);
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL"), "100");
}

TEST_F(RunnerRefusalsTest, RollbackOfACompletedMigration) {
  Start();
  ASSERT_TRUE((*NewRunner())->Complete().ok());
  Status rollback = (*NewRunner())->Rollback();
  EXPECT_EQ(rollback.kind(), ErrorKind::kRefused) << rollback.message();
  EXPECT_TRUE(Contains(rollback.message(), "nothing to roll back")) << rollback.message();
  EXPECT_TRUE(Contains(rollback.message(), "\"02_name\"")) << rollback.message();
  EXPECT_EQ(Record("02_name").phase, kPhaseCompleted);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'anonymous'"), "100");
}

TEST_F(RunnerRefusalsTest, SecondRunnerWhileTheFirstHoldsTheLock) {
  auto first = NewRunner();
  StartOptions options;
  options.skip_backfill = true;
  ASSERT_TRUE((*first)->Start(name_not_null_, options).ok());
  // `first` keeps its runner lock until its process (here: object) ends.
  Status second = (*NewRunner())->Backfill();
  EXPECT_EQ(second.kind(), ErrorKind::kBusy) << second.message();
  EXPECT_TRUE(Contains(second.message(), "another tandem runner")) << second.message();
  EXPECT_TRUE(Contains(second.message(), "pid " + std::to_string(getpid()))) << second.message();
  EXPECT_FALSE(Record("02_name").backfill_done);
  first.reset();
  Status after = (*NewRunner())->Backfill();
  EXPECT_TRUE(after.ok()) << after.message();
}

// Documented outcomes of doing again what is done.
TEST_F(RunnerRefusalsTest, StartOfTheActiveMigrationAgainIsANoOp) {
  Start();
  long long events = EventCount();
  auto again = NewRunner();
  Status started = (*again)->Start(name_not_null_, {});
  EXPECT_TRUE(started.ok()) << started.message();
  EXPECT_TRUE(again->reporter.NoteContaining("\"02_name\" is already started (phase active)"))
      << ::testing::PrintToString(again->reporter.Notes());
  EXPECT_TRUE(again->reporter.Of(ReportedCall::Kind::kStepDone).empty());
  EXPECT_EQ(EventCount(), events);
}

TEST_F(RunnerRefusalsTest, StartOfACompletedMigrationAgainIsANoOp) {
  Start();
  ASSERT_TRUE((*NewRunner())->Complete().ok());
  long long events = EventCount();
  auto again = NewRunner();
  StartOptions options;
  options.complete = true;
  Status started = (*again)->Start(name_not_null_, options);
  EXPECT_TRUE(started.ok()) << started.message();
  EXPECT_TRUE(again->reporter.NoteContaining("\"02_name\" was already completed"))
      << ::testing::PrintToString(again->reporter.Notes());
  EXPECT_EQ(EventCount(), events);
}

TEST_F(RunnerRefusalsTest, CompleteOfACompletedMigration) {
  Start();
  ASSERT_TRUE((*NewRunner())->Complete().ok());
  long long events = EventCount();
  Status again = (*NewRunner())->Complete();
  EXPECT_EQ(again.kind(), ErrorKind::kRefused) << again.message();
  EXPECT_TRUE(Contains(again.message(), "no migration is in progress")) << again.message();
  EXPECT_TRUE(Contains(again.message(), "\"02_name\"")) << again.message();
  EXPECT_EQ(EventCount(), events);
}

TEST_F(RunnerRefusalsTest, ChangedFileWhileActive) {
  Start();
  plan::Migration changed =
      WriteMigration("02_name.yaml", ReplaceAll(kUsersNameNotNull, "'anonymous'", "'nobody'"));
  Status start = (*NewRunner())->Start(changed, {});
  EXPECT_EQ(start.kind(), ErrorKind::kRefused) << start.message();
  EXPECT_TRUE(Contains(start.message(), "\"02_name\" was started from a different file"))
      << start.message();
  EXPECT_TRUE(Contains(start.message(), "nobody")) << "names the difference: " << start.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE _tandem_new_name = 'nobody'"), "0");
}

TEST_F(RunnerRefusalsTest, ChangedFileOfACompletedMigration) {
  Start();
  ASSERT_TRUE((*NewRunner())->Complete().ok());
  plan::Migration changed =
      WriteMigration("02_name.yaml", ReplaceAll(kUsersNameNotNull, "'anonymous'", "'nobody'"));
  Status start = (*NewRunner())->Start(changed, {});
  EXPECT_EQ(start.kind(), ErrorKind::kRefused) << start.message();
  EXPECT_TRUE(Contains(start.message(), "\"02_name\" was already applied")) << start.message();
  EXPECT_TRUE(Contains(start.message(), "nobody")) << "names the difference: " << start.message();
  auto history = State().History("main");
  ASSERT_TRUE(history.ok()) << history.status().message();
  EXPECT_EQ(history->size(), 1u);
}

TEST_F(RunnerRefusalsTest, CompleteAndRollbackWithNothingStarted) {
  Status complete = (*NewRunner())->Complete();
  Status rollback = (*NewRunner())->Rollback();
  for (const Status& status : {complete, rollback}) {
    EXPECT_EQ(status.kind(), ErrorKind::kRefused) << status.message();
    EXPECT_TRUE(Contains(status.message(), "no migration is in progress on schema \"main\""))
        << status.message();
    EXPECT_FALSE(Contains(status.message(), "the last one")) << status.message();
  }
}

// Records that say active while the database lost the dual-write triggers
// (restored or edited): status names it, and start refuses to build on it.
TEST_F(RunnerRefusalsTest, AnActiveMigrationWhoseTriggerIsGone) {
  Start();
  Exec("DROP TRIGGER _tandem_up_update_users; DROP TRIGGER _tandem_up_insert_users");
  auto status = (*NewRunner())->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().message();
  ASSERT_EQ(status->contradictions.size(), 1u);
  EXPECT_TRUE(Contains(status->contradictions[0], "\"02_name\" is active"))
      << status->contradictions[0];
  EXPECT_TRUE(Contains(status->contradictions[0], "on \"users\" is gone"))
      << status->contradictions[0];
  Status start = (*NewRunner())->Start(name_not_null_, {});
  EXPECT_EQ(start.kind(), ErrorKind::kRefused) << start.message();
  EXPECT_TRUE(Contains(start.message(), "contradict")) << start.message();
  EXPECT_TRUE(Contains(start.message(), "tandem rollback")) << start.message();
}

}  // namespace
}  // namespace tandem::core::testing
