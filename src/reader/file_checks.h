// Checks that need the whole file: a table created twice, an index or
// constraint name used twice. Per-operation checks live in the readers.
// Internal to the reader module.
#pragma once

#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

// Reports the first name clash among `migration`'s operations to `errors`.
// Names freed by an earlier drop_* or rename_constraint may be reused.
void CheckAcrossOperations(const plan::Migration& migration, ErrorSink* errors);

}  // namespace tandem::reader
