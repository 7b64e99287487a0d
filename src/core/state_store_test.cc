// The state store on a real SQLite file: records and events written and
// read back, and what it says of ids it does not know and of records
// edited into something it cannot read.
#include "core/state_store.h"

#include <gtest/gtest.h>

#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

class StateStoreTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    Status init = State().Init();
    ASSERT_TRUE(init.ok()) << init.message();
  }

  long long Insert(const std::string& name, Phase phase = kPhaseStarting) {
    MigrationRecord record;
    record.schema = "main";
    record.name = name;
    record.version_schema = name;
    record.checksum = "c0ffee" + name;
    record.phase = phase;
    record.plan_json = "{}";
    record.file_content = "operations: []\n";
    record.os_user = "someone";
    auto id = State().Insert(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? *id : 0;
  }

  // Sets `column` of a record to `value` behind the store's back: every
  // read of the record is then refused, naming the migration, the column
  // and the value.
  void ExpectEditRefused(const std::string& column, const std::string& value) {
    long long id = Insert("02_name");
    Exec("UPDATE tandem_migrations SET " + column + " = '" + value +
         "' WHERE id = " + std::to_string(id));
    for (const Status& status :
         {State().Active("main").status(), State().History("main").status()}) {
      EXPECT_EQ(status.kind(), ErrorKind::kRefused) << status.message();
      for (const std::string& part : {std::string("\"02_name\""), column, "\"" + value + "\""}) {
        EXPECT_NE(status.message().find(part), std::string::npos)
            << part << " in " << status.message();
      }
    }
  }

  void Append(long long id, const std::string& phase, const std::string& kind,
              const std::string& description, const std::string& outcome = "ok") {
    Status appended = State().Append(id, {.phase = phase,
                                          .kind = kind,
                                          .description = description,
                                          .duration_ms = 1.5,
                                          .attempts = 1,
                                          .outcome = outcome});
    ASSERT_TRUE(appended.ok()) << appended.message();
  }
};

TEST_F(StateStoreTest, InitIsIdempotentAndExistsSaysSo) {
  StateStore fresh(*conn_, "fresh", backend::Engine::kSqlite);
  auto before = fresh.Exists();
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_FALSE(*before);
  ASSERT_TRUE(fresh.Init().ok());
  ASSERT_TRUE(fresh.Init().ok());
  auto after = fresh.Exists();
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_TRUE(*after);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'fresh_migrations'"), "1");
}

TEST_F(StateStoreTest, RecordsMoveThroughTheirPhases) {
  long long first = Insert("01_first");
  auto active = State().Active("main");
  ASSERT_TRUE(active.ok()) << active.status().message();
  ASSERT_TRUE(active->has_value());
  EXPECT_EQ((*active)->id, first);
  EXPECT_EQ((*active)->checksum, "c0ffee01_first");
  EXPECT_EQ((*active)->os_user, "someone");
  EXPECT_NE((*active)->started_at, "");

  ASSERT_TRUE(State().SetStepsDone(first, 3).ok());
  ASSERT_TRUE(State().SetBackfillDone(first).ok());
  active = State().Active("main");
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->steps_done, 3);
  EXPECT_TRUE((*active)->backfill_done);

  ASSERT_TRUE(State().SetPhase(first, kPhaseStarting, kPhaseActive).ok());
  ASSERT_TRUE(State().SetPhase(first, kPhaseActive, kPhaseCompleting).ok());
  ASSERT_TRUE(State().SetPhase(first, kPhaseCompleting, kPhaseCompleted).ok());
  active = State().Active("main");
  ASSERT_TRUE(active.ok());
  EXPECT_FALSE(active->has_value());
  auto completed = State().Completed("main", "01_first");
  ASSERT_TRUE(completed.ok() && completed->has_value());
  EXPECT_EQ((*completed)->steps_done, 0) << "a new phase starts at its first step";
  EXPECT_NE((*completed)->completed_at, "");

  long long second = Insert("02_second", kPhaseActive);
  ASSERT_TRUE(State().SetPhase(second, kPhaseActive, kPhaseRollingBack).ok());
  ASSERT_TRUE(State().SetPhase(second, kPhaseRollingBack, kPhaseRolledBack).ok());
  auto history = State().History("main");
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].phase, kPhaseRolledBack);
  EXPECT_NE((*history)[1].rolled_back_at, "");
  auto versions = State().CompletedVersionSchemas("main");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, std::vector<std::string>{"01_first"});
}

TEST_F(StateStoreTest, EventsInOrderAndTheStepsThatRan) {
  long long id = Insert("02_name");
  Append(id, "expand", "phase", "expand started");
  Append(id, "expand", "step", "add column");
  Append(id, "expand", "step", "create trigger", "failed");
  Append(id, "expand", "retry", "create trigger", "retry");
  Append(id, "rollback", "step", "drop column");
  auto events = State().Events(id);
  ASSERT_TRUE(events.ok()) << events.status().message();
  std::vector<std::string> descriptions;
  for (const auto& e : *events) descriptions.push_back(e.event.kind + ":" + e.event.description);
  EXPECT_EQ(descriptions, (std::vector<std::string>{"phase:expand started", "step:add column",
                                                    "step:create trigger", "retry:create trigger",
                                                    "step:drop column"}));
  EXPECT_EQ((*events)[1].event.duration_ms, 1.5);
  EXPECT_EQ((*events)[1].event.attempts, 1);

  auto ran = State().StepsRun(id, "expand");
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(*ran, std::set<std::string>{"add column"});
  auto failed = State().StepsRun(id, "expand", "failed");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(*failed, std::set<std::string>{"create trigger"});
  auto last = State().LastEvent(id, "step");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->event.description, "drop column");

  EXPECT_FALSE(conn_->Execute("DELETE FROM tandem_events").ok()) << "the log is append-only";
}

// The store takes no lock of its own (the runner lock is the Runner's): a
// second store on the same file, as `tandem status` opens while a runner
// works, reads what the first wrote.
TEST_F(StateStoreTest, ASecondStoreOnTheFileReadsTheFirstOnesRecords) {
  long long id = Insert("02_name");
  auto database = backend::OpenDatabase(Url());
  ASSERT_TRUE(database.ok()) << database.status().message();
  auto other = (*database)->Connect();
  ASSERT_TRUE(other.ok()) << other.status().message();
  StateStore second(**other, "tandem", backend::Engine::kSqlite);
  ASSERT_TRUE(State().SetPhase(id, kPhaseStarting, kPhaseActive).ok());
  auto active = second.Active("main");
  ASSERT_TRUE(active.ok() && active->has_value()) << active.status().message();
  EXPECT_EQ((*active)->phase, kPhaseActive);
  auto paused = second.SetPaused("main", true);
  ASSERT_TRUE(paused.ok() && *paused);
  auto seen = State().IsPaused(id);
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(*seen);
}

// A change of an id that is not there would be lost without a word.
TEST_F(StateStoreTest, AnUnknownMigrationIdIsAnError) {
  Insert("02_name");
  for (const Status& status : {State().SetPhase(9999, kPhaseStarting, kPhaseActive),
                               State().SetStepsDone(9999, 2), State().SetBackfillDone(9999)}) {
    EXPECT_EQ(status.kind(), ErrorKind::kInternal) << status.message();
    EXPECT_NE(status.message().find("id 9999"), std::string::npos) << status.message();
  }
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), PhaseName(kPhaseStarting));
}

TEST_F(StateStoreTest, AnUnknownPhaseIsRefusedNamingTheMigration) {
  ExpectEditRefused("phase", "half-done");
}

TEST_F(StateStoreTest, AStepCountThatIsNotANumberIsRefusedNotThrown) {
  ExpectEditRefused("steps_done", "three");
}

TEST_F(StateStoreTest, EventsAfterReadsTheSchemasLogInPagesAfterAnId) {
  long long first = Insert("01_a", kPhaseCompleted);
  long long second = Insert("02_b");
  Append(first, "expand", "phase", "expand started");
  Append(second, "expand", "phase", "expand started");
  Append(second, "backfill", "control", "paused");
  auto page = State().EventsAfter("main", 0, 2);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].migration, "01_a");
  EXPECT_EQ((*page)[1].migration, "02_b");
  EXPECT_LT((*page)[0].recorded.id, (*page)[1].recorded.id);
  auto rest = State().EventsAfter("main", (*page)[1].recorded.id, 2);
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].recorded.event.description, "paused");
  auto other = State().EventsAfter("other_schema", 0, 10);
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_TRUE(other->empty());
}

TEST_F(StateStoreTest, ControlTokenHashIsReplacedNotAdded) {
  auto none = State().ControlTokenHash();
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(*none);
  ASSERT_TRUE(State().SetControlTokenHash("aa11").ok());
  ASSERT_TRUE(State().SetControlTokenHash("bb22").ok());
  auto stored = State().ControlTokenHash();
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_EQ(**stored, "bb22");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_control_token"), "1");
}

}  // namespace
}  // namespace tandem::core::testing
