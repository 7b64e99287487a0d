// The read switch in process, on a SQLite file: its gates (backfill done,
// a passing verification recorded) refuse with kRefused and change
// nothing; switch, --back and rollback move the phase as phase.h says, and
// each move is in the event log; complete after a switch waits for a clean
// observation window.
#include <gtest/gtest.h>

#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

class RunnerSwitchTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(300);
    name_not_null_ = WriteMigration("02_name.yaml", kUsersNameNotNull);
  }
  void Start(bool backfill) {
    StartOptions options;
    options.skip_backfill = !backfill;
    Status started = (*NewRunner())->Start(name_not_null_, options);
    ASSERT_TRUE(started.ok()) << started.message();
  }
  void Verify() {
    auto pass = (*NewRunner())->Verify({});
    ASSERT_TRUE(pass.ok()) << pass.status().message();
    ASSERT_TRUE(pass->report.passed());
  }
  Status Switch(bool back = false) { return (*NewRunner())->Switch({back}); }
  // A switch now is refused, saying `why` and naming the `next` command, and
  // the migration stays active.
  void ExpectSwitchRefused(const std::string& why, const std::string& next) {
    Status refused = Switch();
    EXPECT_EQ(refused.kind(), ErrorKind::kRefused) << refused.message();
    EXPECT_NE(refused.message().find(why), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find(next), std::string::npos) << refused.message();
    EXPECT_EQ(PhaseNow(), Phase::kActive);
  }
  Phase PhaseNow() { return Record("02_name").phase; }
  long long SwitchEvents() {
    auto events = State().Events(Record("02_name").id);
    EXPECT_TRUE(events.ok()) << events.status().message();
    long long count = 0;
    for (const auto& e : events.ok() ? *events : std::vector<RecordedEvent>()) {
      count += e.event.kind == "switch" ? 1 : 0;
    }
    return count;
  }

  plan::Migration name_not_null_;
};

TEST_F(RunnerSwitchTest, RefusedUntilTheBackfillHasFinished) {
  Start(false);
  ExpectSwitchRefused("backfill of \"02_name\" has not finished", "tandem backfill");
  EXPECT_EQ(SwitchEvents(), 0);
}

TEST_F(RunnerSwitchTest, RefusedUntilAPassingVerificationIsRecorded) {
  Start(true);
  ExpectSwitchRefused("no passing full verification of \"02_name\"", "tandem verify");
  // A failed verification does not open the gate either.
  Exec("UPDATE users SET _tandem_new_name = 'wrong' WHERE id = 3");
  auto failed = (*NewRunner())->Verify({});
  ASSERT_TRUE(failed.ok()) << failed.status().message();
  ASSERT_FALSE(failed->report.passed());
  EXPECT_EQ(Switch().kind(), ErrorKind::kRefused);
  EXPECT_EQ(PhaseNow(), Phase::kActive);
}

TEST_F(RunnerSwitchTest, SwitchBackAndAgainThenComplete) {
  Start(true);
  Verify();
  ASSERT_TRUE(Switch().ok());
  EXPECT_EQ(PhaseNow(), Phase::kSwitched);
  // Verification may run during the window.
  Verify();
  Status back = Switch(true);
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(PhaseNow(), Phase::kActive);
  ASSERT_TRUE(Switch().ok());
  EXPECT_EQ(SwitchEvents(), 3);
  // Switched, complete needs a clean observation window after the newest switch.
  Status refused = (*NewRunner())->Complete();
  EXPECT_EQ(refused.kind(), ErrorKind::kRefused) << refused.message();
  EXPECT_NE(refused.message().find("no clean observation window"), std::string::npos)
      << refused.message();
  EXPECT_EQ(PhaseNow(), Phase::kSwitched);
  Status observed = (*NewRunner())->Switch({.observe = Millis{1000}});
  ASSERT_TRUE(observed.ok()) << observed.message();
  {
    auto tandem = NewRunner();
    auto clean = (*tandem)->CleanWindowRecorded(Record("02_name"));
    ASSERT_TRUE(clean.ok()) << clean.status().message();
    EXPECT_TRUE(*clean);
  }
  Status complete = (*NewRunner())->Complete();
  ASSERT_TRUE(complete.ok()) << complete.message();
  EXPECT_EQ(PhaseNow(), Phase::kCompleted);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL"), "0");
}

TEST_F(RunnerSwitchTest, ACleanWindowCountsOnlyForTheSwitchItWatched) {
  Start(true);
  Verify();
  auto clean = [this] {
    auto clean = (*NewRunner())->CleanWindowRecorded(Record("02_name"));
    EXPECT_TRUE(clean.ok()) << clean.status().message();
    return clean.ok() && *clean;
  };
  EXPECT_FALSE(clean());
  ASSERT_TRUE((*NewRunner())->Switch({.observe = Millis{1000}}).ok());
  EXPECT_TRUE(clean());
  ASSERT_TRUE(Switch(true).ok());
  ASSERT_TRUE(Switch().ok());
  EXPECT_FALSE(clean()) << "a new switch needs a window of its own";
  Status refused = (*NewRunner())->Complete();
  EXPECT_EQ(refused.kind(), ErrorKind::kRefused) << refused.message();
  CompleteOptions forced{.force = true, .reason = "watched by hand"};
  ASSERT_TRUE((*NewRunner())->Complete(forced).ok());
  EXPECT_EQ(PhaseNow(), Phase::kCompleted);
}

TEST_F(RunnerSwitchTest, RollbackOfASwitchedMigrationFlipsBackThenUndoesTheExpand) {
  Start(true);
  Verify();
  ASSERT_TRUE(Switch().ok());
  {
    auto tandem = NewRunner();  // ends here, with its runner lock
    ASSERT_TRUE((*tandem)->Rollback().ok());
    EXPECT_TRUE(tandem->reporter.NoteContaining("run `tandem rollback` again").has_value());
  }
  EXPECT_EQ(PhaseNow(), Phase::kActive);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name LIKE '\\_tandem%' "
                   "ESCAPE '\\'"),
            "2")
      << "the first rollback drops nothing";
  Status undone = (*NewRunner())->Rollback();
  ASSERT_TRUE(undone.ok()) << undone.message();
  EXPECT_EQ(PhaseNow(), Phase::kRolledBack);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name LIKE '\\_tandem%' "
                   "ESCAPE '\\'"),
            "0");
}

TEST_F(RunnerSwitchTest, SwitchOutsideItsPhasesIsRefusedNamingThePhase) {
  Status none = Switch();
  EXPECT_EQ(none.kind(), ErrorKind::kRefused) << none.message();
  EXPECT_NE(none.message().find("no migration is in progress"), std::string::npos)
      << none.message();
  Start(true);
  Verify();
  ASSERT_TRUE((*NewRunner())->Complete().ok());
  Status after = Switch(true);
  EXPECT_EQ(after.kind(), ErrorKind::kRefused) << after.message();
}

}  // namespace
}  // namespace tandem::core::testing
