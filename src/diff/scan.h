// One side of a table diff: the statements that read checksums, keys and
// per-row hashes of a key range, and the session they run in. Internal to
// table_diff.cc (and its tests).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "diff/types.h"

namespace tandem::verify {

// What one side reads: the same columns in the same order on both sides, so
// that a row's normalized text is comparable across tables and servers.
struct ScanShape {
  std::string table;                   // quoted schema.name
  std::vector<std::string> key_exprs;  // quoted key columns, with COLLATE "C" where needed
  std::vector<std::string> key_types;  // this side's key column types, to cast parameters
  std::vector<std::string> row_exprs;  // quoted compared columns, key columns first
  std::string partition;               // the --partition-by expression, or empty
};

// Row count plus the sum of 64-bit row hashes. A sum of up to 2^40 rows of
// 64-bit hashes fits in 128 bits, so partial sums can be subtracted exactly.
struct Checksum {
  long long rows = 0;
  __int128 sum = 0;

  bool operator==(const Checksum& other) const = default;
  Checksum& operator+=(const Checksum& other);
  Checksum operator-(const Checksum& other) const;
};

// Parses the text of an integer numeric ("-123"); kInternal for anything else.
Result<__int128> ParseSum(const std::string& text);
std::string SumToString(__int128 sum);

// Keys strictly after `after` up to and including `through`; a missing bound
// is open.
struct KeyRange {
  std::optional<KeyValues> after;
  std::optional<KeyValues> through;
};

struct LeafRow {
  KeyValues key;
  std::string hash;
  backend::Value partition;
};

using PartitionSums = std::map<backend::Value, Checksum>;

// Statement text (pure functions, so that tests can read them).
std::string HashExpr(const ScanShape& shape);
// WHERE clause of `range` with parameters from $1; "" for an open range.
std::string RangeWhere(const ScanShape& shape, const KeyRange& range);
std::vector<backend::Value> RangeParams(const KeyRange& range);
std::string ChecksumSql(const ScanShape& shape, const KeyRange& range);
std::string PartitionChecksumSql(const ScanShape& shape, const KeyRange& range);
std::string KeyAtSql(const ScanShape& shape, const KeyRange& range);
std::string RowsSql(const ScanShape& shape, const KeyRange& range);

// Runs one side's statements on a connection it does not own. Retries a
// statement that hit a lock or statement timeout a few times; counts the
// statements and the bytes they returned.
class Scanner {
 public:
  Scanner(backend::Connection& conn, std::string side) : conn_(conn), side_(std::move(side)) {}

  // Pins the settings row text depends on; read-only, with a lock_timeout.
  Status PinSession(const DiffOptions& options);
  // Bounds every later statement (the scan's chunks) to `timeout`.
  Status LimitStatements(Millis timeout);
  void set_shape(ScanShape shape) { shape_ = std::move(shape); }
  const std::string& side() const { return side_; }

  Result<Checksum> Sum(const KeyRange& range);
  Result<PartitionSums> SumByPartition(const KeyRange& range);
  // The key `offset` rows into `range` in key order, nullopt past its end.
  Result<std::optional<KeyValues>> KeyAt(const KeyRange& range, long long offset);
  // Keys and row hashes of `range` in key order, at most `limit`.
  Result<std::vector<LeafRow>> Rows(const KeyRange& range, long long limit);

  long long queries() const { return queries_; }
  long long bytes() const { return bytes_; }

 private:
  Result<backend::QueryResult> Run(const std::string& sql,
                                   const std::vector<backend::Value>& params);

  backend::Connection& conn_;
  std::string side_;
  ScanShape shape_;
  long long queries_ = 0;
  long long bytes_ = 0;
};

}  // namespace tandem::verify
