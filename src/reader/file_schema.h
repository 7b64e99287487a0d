// A JSON Schema (draft 2020-12) of the migration file format, for editors
// (`tandem schema`): pgroll's operations and tandem's own sections. The
// keys of every operation and section come from the tables the reader
// itself reads them with, so the schema cannot offer a key tandem refuses
// or miss one it reads. The reader remains the judge: the schema checks
// shapes, not SQL or names against the database.
#pragma once

#include <string>

namespace tandem::reader {

// The schema as JSON, indented by `indent` (-1: one line).
std::string MigrationFileSchema(int indent = 2);

}  // namespace tandem::reader
