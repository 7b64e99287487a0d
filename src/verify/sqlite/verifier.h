// Verification on SQLite: the same checks and the same Report as on
// PostgreSQL (report.h), with one aggregate query per changed table.
//
// In-row parity per direction (rows the old version or the backfill wrote:
// new = up(old); rows the new version wrote: old = down(new)), NULL drift of
// each new column against what `up` implies, and the file's invariants over
// the new version's views. In WAL mode the scan reads a snapshot and blocks
// no writer.
#pragma once

#include <vector>

#include "backends/backend.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "verify/types.h"

namespace tandem::verify {

Result<Pass> VerifySqlite(backend::Connection& conn, const plan::Plan& plan,
                          const std::vector<plan::Invariant>& invariants, const Options& options);

}  // namespace tandem::verify
