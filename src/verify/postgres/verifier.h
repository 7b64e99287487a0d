// Measures whether the new version's columns hold what the migration says
// they should, before anything is dropped.
//
// For every row of every synced table, the column pair is checked in the
// direction that last wrote the row (`_tandem_written_by`): rows written by
// the old version (or the backfill) must satisfy new = up(old), rows written
// by the new version old = down(new). Rows the backfill has not reached are
// counted as not matching. Scans walk the heap in block ranges (TID range
// scans: sequential reads, no index needed), are read-only plain SELECTs, and
// hold no lock that blocks application writes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "verify/report.h"
#include "verify/types.h"

namespace tandem::verify {

// Sets `options` up for the pass that follows `pass` under --watch: the rows
// written since it began and those it found not consistent, or every row
// when those were too many. After a pass that could not finish, the same
// rows as that pass.
void FollowUp(const Pass& pass, Options& options);

// Opens another connection for a scan worker.
using ConnectionFactory = std::function<Result<std::unique_ptr<backend::Connection>>()>;

Result<Pass> Verify(backend::Connection& conn, const ConnectionFactory& connect,
                    const plan::Plan& plan, const std::vector<plan::Invariant>& invariants,
                    const Options& options);

// Re-syncs exactly the rows whose columns disagree with the expression of
// the version that wrote them (through the dual-write trigger, as a write
// of that version would). Returns the number of rows rewritten.
Result<long long> Repair(backend::Connection& conn, const plan::Plan& plan);

}  // namespace tandem::verify
