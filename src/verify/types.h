// What both engines' verifiers share: the options of a verification pass
// and what a pass returns. The engine's entry points are
// verify/postgres/verifier.h and verify/sqlite/verifier.h.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/duration.h"
#include "common/status.h"
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

}  // namespace tandem::verify
