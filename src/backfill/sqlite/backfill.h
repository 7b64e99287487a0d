// The backfill on SQLite: the same Options, Progress and control as on
// PostgreSQL (backfill/postgres/backfill.h), with chunks that suit SQLite's single writer.
//
// Each chunk is one short IMMEDIATE write transaction that stores, by
// rowid and in rowid order, the new columns' values (computed ahead on
// another connection) and the marker 'o', for rows not yet written by
// either version; in WAL mode readers never wait. Between chunks
// the lock stays free until a waiting writer got in (PRAGMA data_version
// moves) or has had its next try (busy_poll.h), so the application's
// writers (with a busy timeout) wait for about one chunk. Chunks are sized
// to the target chunk time. After a crash the walk starts at the first row
// without a marker.
#pragma once

#include "backfill/types.h"

namespace tandem::backfill {

// `conn` writes; a second connection from `connect` computes `up` ahead of
// it (backfill/sqlite/up_prefetch.h).
Result<Progress> BackfillSqliteTable(backend::Connection& conn, const Connector& connect,
                                     const plan::TableSync& sync, const Options& options,
                                     const ProgressCallback& on_progress);

}  // namespace tandem::backfill
