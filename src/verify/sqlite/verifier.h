// Verification on SQLite: the same checks and the same Report as on
// PostgreSQL (report.h), with one aggregate query per changed table.
//
// In-row parity per direction (rows the old version or the backfill wrote:
// new = up(old); rows the new version wrote: old = down(new)), NULL drift of
// each new column against what `up` implies, and the file's invariants over
// the new version's views. Each table's rows are cut into rowid ranges that
// `Options::workers` reader connections check in parallel, each range in a
// short read transaction of its own; in WAL mode they block no writer and
// no writer blocks them.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "backends/backend.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "verify/types.h"

namespace tandem::verify {

// Opens a reader connection (from any thread).
using ReaderConnector = std::function<Result<std::unique_ptr<backend::Connection>>()>;

Result<Pass> VerifySqlite(backend::Connection& conn, const ReaderConnector& connect,
                          const plan::Plan& plan, const std::vector<plan::Invariant>& invariants,
                          const Options& options);

}  // namespace tandem::verify
