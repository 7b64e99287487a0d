// Expectations on what `tandem verify` prints, shared by the PostgreSQL and
// the SQLite integration tests.
#pragma once

#include "support/command.h"

namespace tandem::testing {

// `verify` ran before the backfill finished: it exits 1 and says how many
// rows the backfill has not reached and what to run, without calling the
// data FAILED.
void ExpectBackfillNotFinished(const CommandResult& verify, long long rows_not_reached);

}  // namespace tandem::testing
