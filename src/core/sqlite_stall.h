// How long a writer waits at most during SQLite's online rebuild, as
// `plan` shows it: measured, not assumed.
//
// Two things hold SQLite's write lock while a rebuild runs: the copy's
// chunks (the chunk time the copy uses, up to twice its target) and the
// swap, whose statements (renames, the final schema, the version views,
// foreign_key_check) are timed here on a scratch copy of the database's
// schema in memory, after the plan's own earlier steps. A writer that finds
// the lock taken does not queue: SQLite's busy handler lets it try again
// after 1, 3, 8, 18, 33, 53, ... ms (backfill/sqlite/busy_poll.h), so it
// waits until its first try after the longer of the two has ended.
#pragma once

#include <optional>
#include <string>

#include "backends/backend.h"
#include "common/duration.h"
#include "plan/plan.h"

namespace tandem::core {

struct StallEstimate {
  long long writer_wait_ms = 0;  // the longest a writer waits
  std::string how;               // how that was measured, in words
};

// Nothing when the plan rebuilds no table online.
Result<std::optional<StallEstimate>> MeasureSqliteStall(backend::Database& database,
                                                        backend::Connection& conn,
                                                        const plan::Plan& plan, Millis chunk_time);

}  // namespace tandem::core
