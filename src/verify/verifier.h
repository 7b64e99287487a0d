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

namespace tandem::verify {

// Rows a pass found not consistent (mismatching, or not reached by the
// backfill), by table, as ctids. The next incremental pass looks at them
// again although nothing wrote them since, so a mismatch stays reported
// until a pass sees the row fixed.
struct NotConsistent {
  std::map<std::string, std::vector<std::string>> rows;
  // More than kMaxCarriedRows: the next pass looks at every row instead.
  bool too_many = false;
};

// Most rows carried from one pass to the next (their ctids go into a query).
inline constexpr size_t kMaxCarriedRows = 10000;

struct Options {
  int show = 10;                  // example keys per failing check
  double sample_percent = 0;      // > 0: TABLESAMPLE SYSTEM instead of a full scan
  long long chunk_blocks = 4096;  // heap blocks per chunk (32 MiB with 8 KiB blocks)
  // Connections scanning chunks at once: as many processes as PostgreSQL
  // gives one query by default (the leader and max_parallel_workers_per_gather = 2).
  int workers = 3;
  Millis chunk_timeout{60 * 1000};  // statement_timeout of one chunk (or one-query scan)
  // Counts each table in one query PostgreSQL can run in parallel before any
  // chunk, and scans chunks only when that finds a row that is not consistent:
  // faster, but the query holds its snapshot and lock for the whole table and
  // the throttle is asked only before it.
  bool one_query = false;
  // Incremental pass: only rows written by transactions at or after this
  // 32-bit transaction id (from a previous pass's `next_xid`).
  std::optional<long long> written_since_xid;
  // With written_since_xid: rows looked at again whoever wrote them last.
  NotConsistent recheck;
  // Whether the backfill has finished (see Report::backfill_finished).
  bool backfill_finished = true;
  double parity_threshold = 100;  // percent
  double drift_threshold = 0.1;   // percentage points
  // Called before each chunk by every scanning connection: returns when the
  // scan may go on (it may wait, e.g. while the database is throttled), or
  // an error to stop the scan (reported as incomplete). nullptr: never waits.
  std::function<Status()> before_chunk;
};

struct Pass {
  Report report;
  long long next_xid = 0;  // where the next incremental pass starts
  NotConsistent not_consistent;
};

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
