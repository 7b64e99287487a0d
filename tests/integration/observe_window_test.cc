// The observation window and rollback by phase on a real server: a clean
// window is recorded as evidence and lets complete run; a probe breaching
// during the window flips the live schema back (and the ramp's flag to 0%),
// and the old version sees every write made through the new one; complete
// is refused without a clean window; rollback after complete is refused;
// rollback --dry-run changes nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/accounts_table.h"
#include "integration/pg_fixture.h"
#include "support/wait.h"

namespace tandem::testing {
namespace {

// The score migration, with a window that an application error breaches,
// and a ramp.
const std::string kWatched = std::string(kAddScore) + R"y(switch:
  observe: 60s
  sample_every: 1s
  ramp: [10%, 100%]
  step_every: 30s
  flag: read_new
  probes:
    - {name: app_errors, sql: "SELECT count(*) FROM public.app_errors", max: 0}
)y";

class ObserveWindowTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(AccountsTable(500));
    Exec("CREATE TABLE app_errors (at timestamptz NOT NULL DEFAULT now())");
  }
  void StartVerified(const std::string& migration) {
    CommandResult start = Tandem({"start", WriteMigration("02_score.yaml", migration)});
    ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
    CommandResult verify = Tandem({"verify"});
    ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
  nlohmann::json StatusJson() {
    CommandResult status = Tandem({"--json", "status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    return nlohmann::json::parse(status.out, nullptr, false);
  }
  std::string Phase() {
    return Scalar("SELECT phase FROM tandem.migrations ORDER BY id DESC LIMIT 1");
  }
  std::string Events() { return Scalar("SELECT count(*) FROM tandem.events"); }
};

TEST_F(ObserveWindowTest, CompleteIsRefusedUntilACleanWindowIsRecorded) {
  // The test server preloads pg_stat_statements; a database uses it once
  // the extension is created there.
  Exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  ASSERT_NO_FATAL_FAILURE(StartVerified(kAddScore));
  ASSERT_EQ(Tandem({"switch"}).exit_code, 0);
  std::string before = SchemaDump(url_);

  CommandResult refused = Tandem({"complete"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("no clean observation window"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("tandem switch --observe"), std::string::npos) << refused.err;
  EXPECT_EQ(Phase(), "switched");
  EXPECT_EQ(SchemaDump(url_), before) << "a refused complete changes nothing";

  CommandResult observed = Tandem({"switch", "--observe", "2s"});
  ASSERT_EQ(observed.exit_code, 0) << observed.out << observed.err;
  EXPECT_NE(observed.out.find("observation window clean"), std::string::npos) << observed.out;
  // The evidence, as readiness gates read it.
  std::string detail = Scalar(
      "SELECT detail FROM tandem.events WHERE phase = 'switch' AND kind = 'observe' AND "
      "outcome = 'ok' ORDER BY id DESC LIMIT 1");
  nlohmann::json evidence = nlohmann::json::parse(detail, nullptr, false);
  ASSERT_TRUE(evidence.is_object()) << detail;
  EXPECT_EQ(evidence["window_s"], 2.0);
  EXPECT_FALSE(evidence["reason"].get<std::string>().empty());
  std::vector<std::string> names;
  for (const auto& s : evidence["signals"]) {
    names.push_back(s["name"]);
    EXPECT_TRUE(s["ok"].get<bool>()) << s.dump();
    EXPECT_TRUE(s.contains("value") && s.contains("threshold")) << s.dump();
  }
  // The harness's server has pg_stat_statements: statement times are watched.
  EXPECT_EQ(names, (std::vector<std::string>{"rollback_rate", "deadlocks", "lock_waits",
                                             "statement_mean_ms"}));
  nlohmann::json window = StatusJson()["window"];
  EXPECT_EQ(window["state"], "clean") << window.dump();
  EXPECT_EQ(window["signals"].size(), 4u) << window.dump();
  CommandResult text = Tandem({"status"});
  EXPECT_NE(text.out.find("observation window: clean"), std::string::npos) << text.out;

  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 0) << complete.out << complete.err;
}

TEST_F(ObserveWindowTest, ABreachingProbeFlipsBackAndTheOldVersionSeesEveryNewVersionWrite) {
  ASSERT_NO_FATAL_FAILURE(StartVerified(kWatched));
  auto running = std::async(std::launch::async, [this] { return Tandem({"switch"}); });
  // Wait for the window's first sample: the live schema shows the new version.
  bool observing = WaitUntil(
      [&] { return Scalar("SELECT count(*) FROM tandem.events WHERE kind = 'observing'") != "0"; });
  ASSERT_TRUE(observing) << "the window never started";
  nlohmann::json status = StatusJson();
  EXPECT_EQ(status["live"]["version"], "new");
  EXPECT_EQ(status["window"]["state"], "running") << status.dump();
  EXPECT_GT(status["window"]["left_s"].get<double>(), 0);
  EXPECT_EQ(Scalar("SELECT basis_points FROM tandem.flags WHERE name = 'read_new'"), "1000");

  // The new version writes through the live schema, then the application
  // reports an error.
  auto app = Connect();
  ASSERT_TRUE(app->Execute("SET search_path TO public_live, public").ok());
  for (int i = 0; i < 20; ++i) {
    auto written =
        app->Execute("INSERT INTO accounts (id, name, score) VALUES (" + std::to_string(1000 + i) +
                     ", 'window " + std::to_string(i) + "', 7)");
    ASSERT_TRUE(written.ok()) << written.message();
  }
  ASSERT_TRUE(app->Execute("UPDATE accounts SET name = 'renamed in window' WHERE id = 8").ok());
  Exec("INSERT INTO app_errors DEFAULT VALUES");

  CommandResult result = running.get();
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("pg_stat_statements is not installed"), std::string::npos)
      << "said what is not watched: " << result.out;
  EXPECT_NE(result.err.find("breached"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("app_errors"), std::string::npos) << result.err;
  EXPECT_EQ(Phase(), "active");
  EXPECT_EQ(StatusJson()["live"]["version"], "old");
  EXPECT_EQ(StatusJson()["window"]["state"], "breached");
  EXPECT_EQ(Scalar("SELECT basis_points FROM tandem.flags WHERE name = 'read_new'"), "0");
  std::string detail =
      Scalar("SELECT detail FROM tandem.events WHERE kind = 'observe' AND outcome = 'failed'");
  EXPECT_NE(detail.find("above its max"), std::string::npos) << detail;

  // Every write of the window, as the old version reads it.
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM public.accounts WHERE name LIKE 'window %' AND id >= 1000"),
      "20");
  EXPECT_EQ(Scalar("SELECT name FROM public.accounts WHERE id = 8"), "renamed in window");
  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 1) << "the file asks for a window: " << complete.err;
}

TEST_F(ObserveWindowTest, AProbeThatCannotMeasureRefusesTheSwitchAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartVerified(R"y(operations:
  - add_column: {table: accounts, column: {name: score, type: integer, nullable: true}, up: "id"}
switch:
  observe: 5s
  probes:
    - {name: broken, sql: "SELECT count(*) FROM no_such_table", max: 0}
)y"));
  std::string before = SchemaDump(url_);
  CommandResult refused = Tandem({"switch"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("probe \"broken\""), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("switch did not happen"), std::string::npos) << refused.err;
  EXPECT_EQ(Phase(), "active");
  EXPECT_EQ(SchemaDump(url_), before);
}

TEST_F(ObserveWindowTest, RollbackDryRunSaysTheActionForThePhaseAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartVerified(kAddScore));
  std::string before = SchemaDump(url_);
  std::string events = Events();
  CommandResult active = Tandem({"rollback", "--dry-run"});
  EXPECT_EQ(active.exit_code, 0) << active.err;
  EXPECT_NE(active.out.find("undoes the expand"), std::string::npos) << active.out;
  EXPECT_NE(active.out.find("DROP"), std::string::npos) << active.out;
  EXPECT_NE(active.out.find("nothing changed"), std::string::npos) << active.out;
  EXPECT_EQ(SchemaDump(url_), before);
  EXPECT_EQ(Events(), events);

  ASSERT_EQ(Tandem({"switch"}).exit_code, 0);
  before = SchemaDump(url_);
  events = Events();
  CommandResult switched = Tandem({"--json", "rollback", "--dry-run"});
  EXPECT_EQ(switched.exit_code, 0) << switched.err;
  nlohmann::json preview = nlohmann::json::parse(switched.out, nullptr, false);
  ASSERT_TRUE(preview.is_object()) << switched.out;
  EXPECT_NE(preview["rollback"].get<std::string>().find("flips back"), std::string::npos);
  EXPECT_FALSE(preview["steps"].empty());
  EXPECT_EQ(Phase(), "switched");
  EXPECT_EQ(SchemaDump(url_), before);
  EXPECT_EQ(Events(), events);

  // The real rollbacks say and record their actions; the undo of the
  // expand pauses the backfill and records where parity stood first.
  ASSERT_EQ(Tandem({"rollback"}).exit_code, 0);
  CommandResult undo = Tandem({"rollback"});
  ASSERT_EQ(undo.exit_code, 0) << undo.err;
  EXPECT_NE(undo.out.find("parity before the undo"), std::string::npos) << undo.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.events WHERE phase = 'rollback' AND kind = "
                   "'action'"),
            "2");
  EXPECT_NE(Scalar("SELECT detail FROM tandem.events WHERE kind = 'parity_snapshot'")
                .find("last verification passed"),
            std::string::npos);
}

TEST_F(ObserveWindowTest, RollbackDuringARunningBackfillPausesItFirst) {
  CommandResult start =
      Tandem({"start", "--skip-backfill", WriteMigration("02_score.yaml", kAddScore)});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  int backfill =
      SpawnTandem(url_, {"backfill", "--batch-size", "5", "--max-rows-per-second", "20"});
  ASSERT_TRUE(WaitForRunnerLock());
  CommandResult busy = Tandem({"rollback"});
  EXPECT_EQ(busy.exit_code, 3) << busy.out << busy.err;
  EXPECT_NE(busy.err.find("rollback paused the backfill"), std::string::npos) << busy.err;
  EXPECT_EQ(Scalar("SELECT paused FROM tandem.migrations"), "t");
  kill(backfill, SIGINT);
  EXPECT_EQ(WaitTandem(backfill), 3) << "the interrupted backfill stops resumably";
  CommandResult undo = Tandem({"rollback"});
  EXPECT_EQ(undo.exit_code, 0) << undo.out << undo.err;
  EXPECT_EQ(Phase(), "rolled_back");
}

TEST_F(ObserveWindowTest, RollbackAfterCompleteIsRefusedNamingWhatTheContractDropped) {
  CommandResult done = Tandem({"start", "--complete", WriteMigration("02_score.yaml", kAddScore)});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  std::string before = SchemaDump(url_);
  for (const auto& args :
       {std::vector<std::string>{"rollback"}, std::vector<std::string>{"rollback", "--dry-run"}}) {
    CommandResult refused = Tandem(args);
    EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
    EXPECT_NE(refused.err.find("contract dropped the old version"), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("new migration"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(SchemaDump(url_), before);
}

}  // namespace
}  // namespace tandem::testing
