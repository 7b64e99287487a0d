// Runs a scenario's records (support/scenario_format.h) against one engine:
// SQL on named connections for the old and the new application version,
// the real tandem binary for lifecycle steps, snapshots of schema and data.
// Each engine's test binary implements ScenarioEngine over a fresh database.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "support/scenario_format.h"

namespace tandem::testing::scenario {

// What the driver needs of a database; one per scenario run.
class ScenarioEngine {
 public:
  virtual ~ScenarioEngine() = default;
  // As `onlyif` and `skipif` name it: postgres or sqlite.
  virtual std::string EngineName() const = 0;
  virtual std::string Url() const = 0;
  // A new session that sees the tables as the old application version does.
  virtual Result<std::unique_ptr<backend::Connection>> OpenSession() = 0;
  // SQL that makes a session the new version `version`; empty when the
  // names alone select it ({new:table}).
  virtual std::string UseVersion(const std::string& version) const = 0;
  // How SQL names `table`: as the new version `version` sees it, or as the
  // old version does when `version` is empty. Quoted.
  virtual std::string TableName(const std::string& table, const std::string& version) const = 0;
  // tandem's state table `name` (migrations, events, verify_runs). Quoted.
  virtual std::string StateTable(const std::string& name) const = 0;
  // The schema and every row of the migrated tables, as text, tandem's own
  // state left out: what start + rollback must leave as it was.
  virtual std::string Snapshot() = 0;
};

// The tests/scenarios/*.test files with a record for `engine`, sorted; a
// file that cannot be read is listed too, so that its test says why.
std::vector<std::string> ScenarioFiles(const std::string& engine);
// A file's name as a test's name: its stem, other characters than letters,
// digits and '_' replaced by '_'.
std::string ScenarioTestName(const std::string& path);

// Reads the scenario at `path` and runs it on `engine`, migrations written
// below `work_dir`; each failure (a malformed file included) is a failure
// of the current test, with the file and line it comes from.
void ExpectScenarioPasses(ScenarioEngine& engine, const std::string& path,
                          const std::string& work_dir);

class ScenarioRunner {
 public:
  // Migration files are written below `work_dir`.
  ScenarioRunner(ScenarioEngine& engine, std::string work_dir);

  // Runs the records for this engine in order. Returns the failures, each
  // "file:line: expected ... got ...". A failed tandem command ends the
  // run (what follows depends on it); other failures do not.
  std::vector<std::string> Run(const std::vector<Record>& records);

 private:
  void RunRecord(const Record& record);
  void RunStatement(const Record& record);
  void RunQuery(const Record& record);
  void UseConnection(const Record& record);
  void WriteMigration(const Record& record);
  // A failed tandem command stops the run.
  void RunTandem(const Record& record);
  void TakeSnapshot(const Record& record);

  // The current connection's session, opened on first use; null (with a
  // failure reported) when it cannot be opened.
  backend::Connection* Session(const Record& record);
  // The record's SQL, names expanded, in `sql`, and the session to run it
  // on; null (with a failure reported) when either cannot be had.
  backend::Connection* Prepare(const Record& record, std::string& sql);
  // `sql` with {new:table}, {old:table} and {state:table} replaced; false (with a
  // failure reported) when a {new:...} has no version yet.
  bool ExpandNames(const Record& record, std::string& sql);
  // A tandem argument naming a migration (or a folder of them) declared in
  // the file becomes its path.
  std::string ArgumentPath(const std::string& arg) const;
  void Fail(const Record& record, const std::string& what);

  ScenarioEngine& engine_;
  std::string work_dir_;
  std::string connection_ = "old";
  std::string version_;          // of the new version; from start, migrate or connection new
  std::string session_version_;  // the version the "new" session was set to
  std::map<std::string, std::unique_ptr<backend::Connection>> sessions_;
  std::map<std::string, std::string> migrations_;                         // name as written -> path
  std::map<std::string, std::pair<std::string, std::string>> snapshots_;  // label -> where, text
  std::vector<std::string> failures_;
  bool stopped_ = false;
};

}  // namespace tandem::testing::scenario
