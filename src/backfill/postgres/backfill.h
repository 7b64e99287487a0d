// Fills the new version's columns of existing rows, in chunks that walk the
// table's key in order (keyset, never OFFSET), each chunk its own short
// transaction so the application's writers wait for at most one chunk.
//
// A chunk only marks rows as backfilled; the dual-write trigger (old-version
// path) computes `up` for them, so the backfill and live writes share one
// definition of the new columns. Rows already marked (written by the
// application since the trigger was installed, through either version) are
// skipped: a row written through the new version is never overwritten.
//
// The key is split into ranges from its real distribution; `concurrency`
// workers, each on its own connection, take ranges from a shared queue. Each
// chunk commits its range's checkpoint in the same transaction as its rows,
// so a run killed at any point resumes where it stopped, redoing no committed
// chunk. Tables without a usable key are walked in ranges of pages (ctid).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backfill/types.h"
#include "plan/plan.h"

namespace tandem::backfill {

// Backfills one table of `schema` through connections from `connect`,
// resuming from the checkpoints in `store`. Lock timeouts, serialization
// failures, deadlocks, statement timeouts and lost connections are retried
// with jittered exponential backoff (a timed out chunk also gets smaller). A
// data error in `up` is narrowed down to the failing row, whose key the
// error names. A stop request ends it cleanly between chunks (kInterrupted);
// everything done so far stays. `on_progress` is called from the calling
// thread, about once per progress_interval.
Result<Progress> BackfillTable(const Connector& connect, const std::string& schema,
                               const plan::TableSync& sync, const CheckpointStore& store,
                               const Options& options, const ProgressCallback& on_progress);

// The progress of every table of a migration, as the checkpoints hold it:
// what `tandem status` shows, from any process.
Result<std::vector<Progress>> ReadProgress(backend::Connection& conn, const CheckpointStore& store);

// The DDL of the checkpoint tables, for the state store to run.
std::string CheckpointTablesSql(const std::string& state_schema);
// Names of the tables CheckpointTablesSql creates.
std::vector<std::string> CheckpointTableNames();

}  // namespace tandem::backfill
