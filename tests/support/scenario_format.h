// Reading scenario files (tests/scenarios/*.test): behaviour written once as
// data and run on both engines by one driver. tests/scenarios/README.md
// describes the format; this reader turns a file into records, each with
// the file and line it came from, and refuses a malformed file as a whole
// before anything runs.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace tandem::testing::scenario {

enum class RecordKind {
  kStatement,   // statement ok | statement error [text]
  kQuery,       // query <types> [rowsort]
  kConnection,  // connection old | connection new [version]
  kMigration,   // migration <name>: the body is the file's text
  kTandem,      // tandem <args>: then ok | error <exit code>, with texts
  kSnapshot,    // snapshot save|same|differs <label>
};

struct Record {
  RecordKind kind = RecordKind::kStatement;
  std::string file;
  int line = 0;  // of the record's first line after its conditions
  // Engines the record runs on (onlyif) and does not run on (skipif).
  std::vector<std::string> only_on;
  std::vector<std::string> skipped_on;

  // The word after the record's keyword: "ok" or "error" of a statement;
  // the column types of a query; old or new; save, same or differs.
  std::string mode;
  // What follows the mode on the header line: the error text a statement
  // must give; the version a new connection sees; a snapshot's label; the
  // migration's name.
  std::string argument;
  bool rowsort = false;

  std::string body;                   // SQL, or the migration's text
  std::vector<std::string> expected;  // a query's rows, as written
  std::vector<std::string> args;      // of a tandem command
  int exit_code = 0;                  // a tandem command must exit with
  std::vector<std::string> contains;  // texts its output must contain
  std::vector<std::string> excludes;  // texts it must not contain

  std::string Where() const { return file + ":" + std::to_string(line); }
  bool RunsOn(const std::string& engine) const;
};

// The engines `onlyif` and `skipif` may name.
inline constexpr const char* kEngines[] = {"postgres", "sqlite"};

// Reads `path` and the files it includes. A malformed file is kInvalidInput
// with "file:line: what is wrong".
Result<std::vector<Record>> ReadScenario(const std::string& path);

}  // namespace tandem::testing::scenario
