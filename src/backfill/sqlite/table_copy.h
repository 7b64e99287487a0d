// The chunked parts of SQLite's online table rebuild
// (plan/sqlite/sqlite_online_rebuild.cc): filling the final table beside
// the live one, and emptying a table before dropping it. Both write in
// short IMMEDIATE transactions that take turns with the application's
// writers exactly as the backfill's do (write_turns.h), with the same
// Options: chunk time, pause, throttle, max attempts.
//
// Each transaction leaves the database whole, so a crash at any point
// leaves both versions working: running the step again goes on where it
// stopped.
#pragma once

#include "backfill/types.h"

namespace tandem::backfill {

// Creates copy.target, its indexes and sync triggers (copy.prepare, one
// transaction, safe to repeat), then copies every row of copy.source into
// it in rowid order. A row that breaks a constraint of the final table
// stops it before the swap: kRefused naming the rows of the failing chunk
// that break it (rowid and SQLite's message), after the target and its
// triggers are removed again, so nothing changed.
Result<Progress> CopySqliteTable(backend::Connection& conn, const plan::TableCopy& copy,
                                 const Options& options, const ProgressCallback& on_progress);

// Deletes the rows of `table` in chunks, then drops it; nothing when it
// does not exist.
Result<Progress> DrainSqliteTable(backend::Connection& conn, const std::string& table,
                                  const Options& options, const ProgressCallback& on_progress);

}  // namespace tandem::backfill
