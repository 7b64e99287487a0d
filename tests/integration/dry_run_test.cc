// --dry-run on PostgreSQL: start, backfill, switch, complete and migrate
// print what they would run, with the locks, and change nothing: the
// catalog, tandem's state schema and its records stay as they were, and no
// runner lock is needed.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "integration/items_table.h"
#include "support/json_lines.h"

namespace tandem::testing {
namespace {

class DryRunTest : public ItemsMigrationTest {
 protected:
  // The database as a dry run must leave it: every object of every schema
  // (tandem's included) and every record tandem keeps.
  std::string Snapshot() {
    return Scalar(
               "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' "
               "ORDER BY "
               "1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname "
               "NOT IN ('pg_catalog', 'information_schema', 'pg_toast')") +
           "|" + Scalar("SELECT string_agg(nspname, ',' ORDER BY 1) FROM pg_namespace") + "|" +
           Scalar("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal") + "|" +
           Scalar(
               "SELECT CASE WHEN to_regclass('tandem.events') IS NULL THEN 'no records' ELSE "
               "(SELECT count(*)::text FROM tandem.events) || ' events, ' || (SELECT "
               "string_agg(name || ' ' || phase || ' ' || steps_done || ' ' || backfill_done, ',') "
               "FROM tandem.migrations) END") +
           "|" + Scalar("SELECT count(*) FROM items WHERE _tandem_written_by IS NOT NULL");
  }
};

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

class DryRunBeforeStartTest : public PgTest {
 protected:
  void SetUpDatabase() override { Exec(kItems); }
};

TEST_F(DryRunBeforeStartTest, StartPrintsItsStepsAndLocksAndCreatesNothing) {
  std::string before = Scalar("SELECT string_agg(nspname, ',' ORDER BY 1) FROM pg_namespace");
  std::string dump = SchemaDump(url_);
  auto run = Tandem({"start", "--dry-run", WriteMigration("02_code.yaml", kCodeToInteger)});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("dry run of `tandem start`"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("start: expand"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("ALTER TABLE"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("lock: "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("backfill items in chunks along (id)"), std::string::npos) << run.out;
  EXPECT_EQ(SchemaDump(url_), dump);
  EXPECT_EQ(Scalar("SELECT string_agg(nspname, ',' ORDER BY 1) FROM pg_namespace"), before);
  EXPECT_EQ(Scalar("SELECT to_regnamespace('tandem') IS NULL"), "t")
      << "a dry run created tandem's state schema";
}

TEST_F(DryRunBeforeStartTest, StartJsonIsOneLineWithStagesStepsAndLocks) {
  auto run =
      Tandem({"--json", "start", "--dry-run", WriteMigration("02_code.yaml", kCodeToInteger)});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  ASSERT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  auto line = nlohmann::json::parse(run.out);
  EXPECT_EQ(line["event"], "dry_run");
  EXPECT_EQ(line["command"], "start");
  EXPECT_EQ(line["migration"], "02_code");
  EXPECT_TRUE(line["recorded_phase"].is_null());
  EXPECT_EQ(line["changed"], false);
  ASSERT_FALSE(line["stages"].empty());
  EXPECT_EQ(line["stages"][0]["name"], "start: expand");
  ASSERT_FALSE(line["stages"][0]["steps"].empty());
  EXPECT_TRUE(line["stages"][0]["steps"][0]["lock"].is_string());
  EXPECT_EQ(line["backfills"][0]["table"], "items");
  EXPECT_EQ(Scalar("SELECT to_regnamespace('tandem') IS NULL"), "t");
}

TEST_F(DryRunTest, BackfillSwitchAndCompleteChangeNothing) {
  std::string before = Snapshot();
  ASSERT_NE(before.find("02_code active"), std::string::npos) << before;

  auto backfill = Tandem({"backfill", "--dry-run"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
  EXPECT_NE(backfill.out.find("backfill items in chunks along (id)"), std::string::npos)
      << backfill.out;

  auto switched = Tandem({"switch", "--dry-run"});
  ASSERT_EQ(switched.exit_code, 0) << switched.out << switched.err;
  EXPECT_NE(switched.out.find("CREATE VIEW"), std::string::npos) << switched.out;
  EXPECT_NE(switched.out.find("would be refused: the backfill has not finished"), std::string::npos)
      << switched.out;

  auto completed = Tandem({"--json", "complete", "--dry-run"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  auto line = nlohmann::json::parse(completed.out);
  EXPECT_EQ(line["stages"][0]["name"], "complete");
  EXPECT_FALSE(line["stages"][0]["steps"].empty());
  EXPECT_EQ(line["recorded_phase"], "active");

  EXPECT_EQ(Snapshot(), before);
  // The real commands still find everything as start left it.
  EXPECT_EQ(Tandem({"backfill"}).exit_code, 0);
}

TEST_F(DryRunTest, NeedsNoRunnerLockWhileAnotherRunnerWorks) {
  int pid = SpawnTandem(url_, {"backfill", "--max-rows-per-second", "50"});
  ASSERT_TRUE(WaitForRunnerLock());
  auto real = Tandem({"backfill"});
  EXPECT_EQ(real.exit_code, 3) << "the real command must meet the runner lock: " << real.err;
  auto dry = Tandem({"backfill", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  kill(pid, SIGTERM);
  WaitTandem(pid);
}

TEST_F(DryRunBeforeStartTest, MigratePlansTheFirstPendingFileAndNamesTheRest) {
  std::string dir = TempDir() + "/dry_run_migrate";
  std::filesystem::create_directories(dir);
  WriteText(dir + "/02_code.yaml", kCodeToInteger);
  WriteText(dir + "/03_note.yaml", AddColumnMigration("items", "note", "text", "code"));
  auto run = Tandem({"--json", "migrate", "--dry-run", dir});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::vector<nlohmann::json> lines = JsonLines(run.out);
  ASSERT_EQ(lines.size(), 2u) << run.out;
  EXPECT_EQ(lines[0]["migration"], "02_code");
  EXPECT_FALSE(lines[0]["stages"].empty());
  EXPECT_EQ(lines[1]["migration"], "03_note");
  EXPECT_TRUE(lines[1]["stages"].empty());
  EXPECT_EQ(Scalar("SELECT to_regnamespace('tandem') IS NULL"), "t");
}

TEST_F(DryRunBeforeStartTest, NothingInProgressIsRefusedWithoutCreatingRecords) {
  auto run = Tandem({"complete", "--dry-run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("nothing to complete"), std::string::npos) << run.err;
  EXPECT_EQ(Scalar("SELECT to_regnamespace('tandem') IS NULL"), "t");
}

}  // namespace
}  // namespace tandem::testing
