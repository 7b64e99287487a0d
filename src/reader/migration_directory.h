// Reads a directory of migrations (`tandem migrate DIR`): every *.yaml,
// *.yml and *.json file in it (but tandem.yaml, the shared config file), in
// file-name order, as pgroll orders them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "plan/migration.h"

namespace tandem::reader {

// The migrations of `dir`, sorted by file name; other files and
// subdirectories are left alone. A directory that cannot be read, or holds
// no migration file, is kInvalidInput; the first file that does not read
// stops it with that file's error.
Result<std::vector<plan::Migration>> ReadMigrationDirectory(const std::string& dir);

// The paths of the migration files of `dir` (*.yaml, *.yml, *.json; not the
// shared config file tandem.yaml), sorted by name.
Result<std::vector<std::string>> MigrationFilesIn(const std::string& dir);

}  // namespace tandem::reader
