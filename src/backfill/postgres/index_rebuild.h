// Rebuilds the indexes a backfill bloated, as the last step of bloat control.
//
// A chunk updates its rows out of place: the pages of a table that was
// loaded or has settled are full, so the new row versions go elsewhere (no
// HOT update) and every index of the table gets a second entry per row. The
// leaf pages split to take them; VACUUM later removes the old entries but
// never merges the half-empty pages, so an index ends up about twice its
// size however often the table is vacuumed. REINDEX INDEX CONCURRENTLY
// builds it anew without blocking the application's reads or writes.
#pragma once

#include <functional>
#include <string>

#include "backends/backend.h"
#include "backfill/postgres/statements.h"

namespace tandem::backfill {

// An index is rebuilt once it is more than this many times its size when
// the backfill started.
inline constexpr double kRebuildGrowth = 1.5;

// Records the size of each index of the table; a resumed backfill keeps
// what its first run recorded.
Status RecordIndexSizes(backend::Connection& conn, const PgStatements& statements);

// Rebuilds, one after the other, the indexes that grew past kRebuildGrowth,
// first dropping what a cancelled rebuild of the same index left behind.
// Indexes of exclusion constraints are left alone (PostgreSQL cannot
// rebuild them concurrently), and so are a partitioned table's (its own
// indexes hold no entries).
struct RebuildHooks {
  // Asked before each rebuild; may wait (paused, throttled). False: stop
  // here, leaving the rest to be rebuilt by hand (logged).
  std::function<bool()> may_go;
  // Told each index before its rebuild starts (e.g. for `tandem status`).
  std::function<void(const std::string& index)> on_rebuild;
};
// Never fails the backfill, whose rows are all done: a rebuild that fails
// is logged with what to run by hand. A rebuild once started runs to its
// end; a stop waits for it.
void RebuildGrownIndexes(backend::Connection& conn, const PgStatements& statements,
                         const RebuildHooks& hooks);

}  // namespace tandem::backfill
