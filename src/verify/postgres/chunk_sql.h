// The queries of a verification scan over one part of a table (a chunk), and
// how to read the cheap one's row back. Internal to verify: the verifier
// decides what to scan and where; this file says what each query asks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "plan/plan.h"
#include "verify/column_check.h"

namespace tandem::verify {

// Expressions in a plan read the row as NEW."col"; scanning the table under
// the alias `new` lets them run unchanged outside the trigger.
inline constexpr char kAlias[] = "new";

// `new`."_tandem_written_by": which version last wrote the row.
std::string WrittenBy();

// True for a row the version of `direction` wrote whose column `c` differs
// from its expression.
std::string Mismatch(const std::string& direction, const plan::ColumnSync& c);

// A part of a table to scan: FROM (with the alias) and WHERE ("" for none).
struct Scope {
  std::string from;
  std::string where;
  // Holds fewer than 2^31 rows whatever happens, so the row count can share
  // one sum with another count (ConsistentChunkSql).
  bool bounded = false;
};

// " WHERE ..." of `scope`, or "" when it has no condition.
std::string Where(const Scope& scope);

// Most heap blocks a bounded chunk may span: no block holds 2048 tuples, even
// at the largest block size (32 KiB), so such a chunk stays under 2^31 rows.
inline constexpr long long kMaxBoundedBlocks = (1LL << 31) / 2048;

// The detailed aggregate row of one chunk: rows, not backfilled, rows with
// any mismatch, then per check (rows checked, mismatches), then per up column
// (NULLs in the new column, NULLs `up` implies, defaults in the new column,
// defaults `up` implies) among the rows that carry a marker. `defaults` holds each up column's
// default, "" for none or one that recomputing would not reproduce.
std::string AggregateSql(const plan::TableSync& sync, const std::vector<ColumnCheck>& checks,
                         const std::vector<std::string>& defaults, const std::string& from_where);

// The cheap aggregate of a chunk where every row is consistent (see the
// definition in chunk_sql.cc), which after a backfill is nearly every chunk.
std::string ConsistentChunkSql(const plan::TableSync& sync,
                               const std::vector<std::string>& defaults, const Scope& scope);

// What the row of ConsistentChunkSql says when every row of its scope is
// consistent; then every count of AggregateSql follows from these.
struct ConsistentCounts {
  long long rows = 0;
  long long written_by_new = 0;
  std::vector<long long> nulls;     // per up column: NULLs in the new column
  std::vector<long long> defaults;  // per up column: its default there (0 without one)
};

// The counts in `row`, the result of ConsistentChunkSql(sync, defaults,
// scope); nullopt when some row of the scope is not consistent, or when a
// count cannot be read (the detailed scan that follows then says which).
std::optional<ConsistentCounts> ReadConsistentRow(const Scope& scope,
                                                  const std::vector<std::string>& defaults,
                                                  const backend::Row& row);

}  // namespace tandem::verify
