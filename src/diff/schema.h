// What a table diff compares, checked against both catalogs before any scan:
// the tables exist, the key and compared columns exist on both sides, the
// key is unique and NOT NULL on the source, the partition expression is
// valid. Every refusal is kInvalidInput naming the side, table and column.
// Internal to table_diff.cc.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "diff/scan.h"
#include "diff/types.h"

namespace tandem::verify {

struct ColumnInfo {
  std::string name;
  std::string type;  // format_type(), e.g. "character varying(20)"
  bool not_null = false;
  std::string collation;  // provider:locale of a collatable column, "" otherwise
};

struct TableInfo {
  std::string side;  // "source" or "target", for messages
  std::string oid;
  std::string schema;
  std::string name;
  std::vector<ColumnInfo> columns;

  std::string Display() const { return schema + "." + name; }
  const ColumnInfo* Find(const std::string& column) const;
};

struct DiffPlan {
  TableInfo source;
  TableInfo target;
  std::vector<std::string> key;
  std::vector<std::string> columns;  // key columns first
  ScanShape source_shape;
  ScanShape target_shape;
  // Key columns ordered with COLLATE "C" because the two sides' collations
  // differ (their indexes cannot serve the range scans then).
  std::vector<std::string> c_collated;
};

// Resolves both tables and checks the options against them.
Result<DiffPlan> PlanDiff(backend::Connection& source, backend::Connection& target,
                          const DiffOptions& options);

}  // namespace tandem::verify
