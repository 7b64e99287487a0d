// Reads a migration file (pgroll's YAML or JSON operation format, unchanged)
// into plan::Migration.
//
// Everything the file alone can tell is checked here: unknown operations and
// keys, wrong types, missing required fields, duplicate names inside the file,
// and `up`/`down`/`check`/`predicate`/`sql` text that does not parse. Checks
// against the live schema (unknown table or column) belong to the planner.
//
// Errors are kInvalidInput with a message of the form
//   FILE:LINE:COL: KEY_PATH: what is wrong; what to do
// e.g. "m.yaml:4:9: operations[0].add_column.column.type: required field is
// missing; give the column's PostgreSQL type, e.g. `type: text`".
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "plan/migration.h"

namespace tandem::reader {

// The largest migration file read. Parsing costs up to about 250 bytes of
// memory per byte of YAML (a flow list of short items), so this keeps a read
// within about 100 MB and a second; real migrations are a few KiB.
inline constexpr size_t kMaxMigrationFileBytes = 128 * 1024;

// The bytes of the file at `path`, at most kMaxMigrationFileBytes + 1 of
// them (a larger file is then refused by its parser); kInvalidInput naming
// the path when it cannot be read.
Result<std::string> ReadLimitedFile(const std::string& path);

// Reads and parses the file at `path`. JSON is read by the same parser (JSON
// is YAML), so both get line:column positions.
Result<plan::Migration> ReadMigrationFile(const std::string& path);

// The top-level keys a migration file may have: pgroll's, then tandem's
// sections.
std::span<const std::string_view> MigrationFileKeys();

// Parses `content`; `file_name` is used for messages and, without its
// directory and extension, as the default migration name.
Result<plan::Migration> ParseMigration(std::string_view content, const std::string& file_name);

}  // namespace tandem::reader
