// The backfill's checkpoints in tandem's state schema: one row per key range
// with its bounds and how far the walk got (moved by each chunk in the
// chunk's own transaction, see PgStatements::Chunk), and one row per table
// with what the running backfill reports (rate, workers, reason it waits),
// which is what `tandem status` reads from any process.
#pragma once

#include <vector>

#include "backfill/key_range.h"
#include "backfill/postgres/statements.h"
#include "backfill/types.h"

namespace tandem::backfill {

// The stored ranges of the table, in order; empty when none are stored yet.
Result<std::vector<KeyRange>> LoadRanges(backend::Connection& conn, const PgStatements& statements);
// One stored range, as committed (after a lost connection, where a chunk
// may or may not have committed).
Result<KeyRange> LoadRange(backend::Connection& conn, const PgStatements& statements, int number);
// Stores a fresh split of the table, all ranges or none.
Status SaveRanges(backend::Connection& conn, const PgStatements& statements,
                  const std::vector<KeyRange>& ranges);
// Stores a split, all or nothing: `range` now ends where `upper_part` (a
// new range) begins.
Status SaveSplit(backend::Connection& conn, const PgStatements& statements, const KeyRange& range,
                 const KeyRange& upper_part);
// Stores what the run reports now; `state` is running, done, stopped or failed.
Status SaveRun(backend::Connection& conn, const PgStatements& statements, const Progress& progress,
               const std::string& state, bool starting = false);

}  // namespace tandem::backfill
