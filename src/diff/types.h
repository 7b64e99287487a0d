// What a table diff is asked and what it finds, shared by the diff's own
// files (pass, scan, schema) and its callers. The entry point is
// diff/table_diff.h.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/duration.h"
#include "verify/report.h"

namespace tandem::verify {

struct DiffOptions {
  std::string source_table;  // "users" or "public.users" (SQL identifier syntax)
  std::string target_table;
  std::string default_schema = "public";  // for unqualified names
  std::vector<std::string> key;           // column names, exactly as in the catalog
  std::vector<std::string> columns;       // empty: every column of the source but tandem's own
  std::string partition_by;               // SQL expression over a row; empty: none
  long long chunk_rows = 100000;          // source rows per first-pass chunk
  long long leaf_rows = 64;               // bisect until a range holds at most this many rows
  Millis chunk_timeout{60000};            // statement_timeout of every scan statement
  Millis lock_timeout{500};               // lock_timeout of every statement
  long long max_listed = 1000;            // differing rows listed; the rest are counted
  // Called after each first-pass chunk (from the calling thread).
  std::function<void(long long source_rows_scanned)> on_chunk;
};

using KeyValues = std::vector<backend::Value>;  // one text value per key column

enum class RowDiffKind { kMissing, kExtra, kChanged };

struct RowDiff {
  RowDiffKind kind;
  KeyValues key;
  // The row's partition on each side (with partition_by; nullopt is NULL).
  backend::Value source_partition;
  backend::Value target_partition;
};

struct PartitionDiff {
  backend::Value partition;  // nullopt: the expression was NULL
  long long source_rows = 0;
  long long target_rows = 0;
  bool checksum_differs = false;  // also set when only the counts differ
};

// A range (after, through] that differs but was not broken down into keys
// because the listing limit was reached.
struct RangeDiff {
  std::optional<KeyValues> after;    // nullopt: from the first key
  std::optional<KeyValues> through;  // nullopt: to the last key
  long long source_rows = 0;
  long long target_rows = 0;
};

struct DiffStats {
  long long source_rows = 0;  // rows of each side (first pass)
  long long target_rows = 0;
  long long chunks = 0;
  long long differing_chunks = 0;
  long long queries = 0;
  long long bytes_to_client = 0;  // size of every result value received
  Millis elapsed{0};
};

struct DiffReport {
  std::string source_table;  // schema.name as resolved
  std::string target_table;
  std::string source_database;  // user@host:port/db
  std::string target_database;
  std::vector<std::string> key;
  std::vector<std::string> columns;  // compared, key columns first
  std::string partition_by;

  std::vector<RowDiff> rows;  // at most max_listed, in key order
  long long missing = 0;      // rows counted, listed or not
  long long extra = 0;
  long long changed = 0;
  long long target_null_keys = 0;  // target rows whose key is NULL: in no range
  std::vector<RangeDiff> unlisted_ranges;
  long long partitions_compared = 0;
  std::vector<PartitionDiff> partitions;  // the differing ones

  bool complete = true;
  std::string incomplete_reason;  // what stopped the scan, and what to do
  DiffStats stats;

  bool Clean() const { return Flags() == 0; }
  // verify::Flag bits: kParityMismatch for rows whose content differs,
  // kCountMismatch for missing or extra rows (per range or partition),
  // kScanIncomplete when the scan stopped early.
  int Flags() const;
  // Rows listed is less than rows counted, or ranges were left unlisted.
  bool Truncated() const;
};

}  // namespace tandem::verify
