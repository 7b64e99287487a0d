// One linter per file format, used by lint_files.cc. Each returns the
// findings of every rule (filtered by the caller) at the file's positions.
#pragma once

#include <string>

#include "migration_lint/lint_files.h"

namespace tandem::migration_lint {

// A plain SQL migration (Flyway, dbmate, golang-migrate, Rails' structure
// files, Django's sqlmigrate output): `content` is the whole file.
Result<FileReport> LintSqlFile(const std::string& path, const std::string& content,
                               const Options& options);

// Reads the .sql file at `path`, then LintSqlFile.
Result<FileReport> LintSqlPath(const std::string& path, const Options& options);

// A tandem/pgroll YAML or JSON migration: the rules over what tandem would
// run for each operation.
Result<FileReport> LintPgrollFile(const std::string& path, const Options& options);

}  // namespace tandem::migration_lint
