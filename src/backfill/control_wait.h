// Asking Options::control before a chunk, shared by the PostgreSQL and the
// SQLite backfill: wait while paused or throttled (telling on_progress why),
// stop cleanly on request.
#pragma once

#include <string>

#include "backfill/types.h"

namespace tandem::backfill {

// Returns once the backfill may run its next chunk; kInterrupted when asked
// to stop (naming `table` and the rows done so far).
Status WaitForControl(const Options& options, const std::string& table, Progress& progress,
                      const ProgressCallback& on_progress);

}  // namespace tandem::backfill
