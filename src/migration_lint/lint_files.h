// `tandem lint`'s files: finds the migration files under the paths given,
// reads each in its format (a tandem/pgroll YAML or JSON file through
// reader/, a plain .sql file of Flyway, dbmate, golang-migrate and the
// like), runs the rules of lint/ over what each would run, and places every
// finding at the file's line:column. Thread-compatible.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "lint/sql_rules.h"

namespace tandem::migration_lint {

struct Options {
  bool sqlite = false;                 // the migrations are for SQLite
  bool assume_in_transaction = false;  // the framework runs each .sql file in a transaction
  std::set<std::string> disabled;      // --disable: never reported
  std::set<std::string> enabled;       // --enable: rules that are off by default
};

struct FileReport {
  std::string file;
  std::vector<lint::Finding> findings;        // only the active rules', in file order
  std::vector<lint::LiveQuestion> questions;  // positions in the file
  std::set<std::string> disabled;             // the file's own (comment or `lint:` section)
};

// The migration files the paths name: a file as given; under a directory
// (recursively, in name order) every .sql, .yaml, .yml and .json file
// except the ones that undo a migration (golang-migrate's *.down.sql,
// Flyway's U<version>__*.sql). kInvalidInput for a path that does not
// exist, a file of another kind, or a directory without migrations.
Result<std::vector<std::string>> MigrationFiles(const std::vector<std::string>& paths);

// Lints one file. kInvalidInput, naming file:line:column, when it cannot be
// read, does not parse, or disables a rule code that does not exist.
Result<FileReport> LintFile(const std::string& path, const Options& options);

// Whether a finding of `code` is reported under `options` and the file's
// own `disabled` codes.
bool RuleActive(const std::string& code, const Options& options,
                const std::set<std::string>& disabled);

// Upper-cased rule codes of a comma-separated list ("td101, TD304").
std::vector<std::string> CodeList(const std::string& text);

// Checks that every code is a rule's; `where` names the flag or place.
Status CheckRuleCodes(const std::vector<std::string>& codes, const std::string& where);

}  // namespace tandem::migration_lint
