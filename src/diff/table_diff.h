// Row-level comparison of two tables, in one database or in two: which keys
// are missing from the target, which are extra, which rows differ.
//
// Checksums are computed inside each database (a row count and the sum of a
// 64-bit hash of each row's normalized text, per key range), so only counts,
// sums and a few keys travel to the client. The source's key space is cut
// into chunks; chunks whose checksums differ are bisected until ranges are
// small enough to fetch their keys and per-row hashes from both sides.
//
// Every statement is a plain SELECT in its own autocommit transaction under a
// statement_timeout: no lock that blocks application writes is taken, and
// none is held between chunks. On a live table, rows written while the scan
// runs may show up as differences; rerun to tell drift from damage.
//
// DiffTables owns its connections for the duration of the call and uses them
// from several threads, each connection from one thread at a time.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/duration.h"
#include "common/status.h"
#include "diff/types.h"

namespace tandem::verify {

// Compares the tables named in `options`. Bad input (unknown table, column or
// key without a unique index, invalid expression) is kInvalidInput before any
// scan; a failure during the scan gives a report with complete = false.
// `source_walker`, an optional second session on the source database, finds
// the next chunk's boundary while the current chunk is summed.
Result<DiffReport> DiffTables(backend::Connection& source, backend::Connection& target,
                              const DiffOptions& options,
                              backend::Connection* source_walker = nullptr);

}  // namespace tandem::verify
