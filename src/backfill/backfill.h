// Fills the new version's columns of existing rows, in chunks that walk the
// table's key in order (keyset, never OFFSET), each chunk its own short
// transaction so the application's writers wait for at most one chunk.
//
// A chunk only marks rows as backfilled; the dual-write trigger (old-version
// path) computes `up` for them, so the backfill and live writes share one
// definition of the new columns. Rows already marked (written by the
// application since the trigger was installed, through either version) are
// skipped: a row written through the new version is never overwritten.
// Restarting after a crash simply walks again; marked rows cost a read only.
#pragma once

#include <functional>
#include <string>

#include "backends/backend.h"
#include "plan/plan.h"

namespace tandem::backfill {

struct Options {
  int batch_size = 1000;
};

struct Progress {
  std::string table;
  long long rows_scanned = 0;
  long long rows_updated = 0;
  long long estimated_total = 0;
  int chunks = 0;
  Millis elapsed{0};
};

using ProgressCallback = std::function<void(const Progress&)>;

// Backfills one table. Chunk failures are returned as they are (the caller
// decides about retrying); progress is reported after each chunk.
Result<Progress> BackfillTable(backend::Connection& conn, const std::string& schema,
                               const plan::TableSync& sync, const Options& options,
                               const ProgressCallback& on_progress);

}  // namespace tandem::backfill
