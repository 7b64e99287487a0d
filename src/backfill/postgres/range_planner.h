// Splits a table into key ranges for the workers, following the key's real
// distribution rather than assuming keys are spread evenly: the column
// statistics' histogram when they are fresh (single-column keys), else the
// quantiles of a page sample of the key. Tables walked by ctid are split by
// pages.
#pragma once

#include <vector>

#include "backfill/key_range.h"
#include "backfill/postgres/statements.h"

namespace tandem::backfill {

// What the catalog says about a table's size.
struct TableFacts {
  long long reltuples = -1;  // -1: never analyzed
  long long pages = 0;
  long long bytes = 0;
  long long modified_since_analyze = -1;
  long long block_size = 8192;

  // Rows per page for ctid walks (100 when unknown).
  double RowsPerPage() const;
};

Result<TableFacts> ReadTableFacts(backend::Connection& conn, const PgStatements& statements);

// Up to `count` ranges covering the whole key space (the first starts at the
// beginning, the last is open-ended), with an estimate of their rows.
Result<std::vector<KeyRange>> PlanRanges(backend::Connection& conn, const PgStatements& statements,
                                         const TableFacts& facts, int count);

// Ranges from `bounds` (sorted, distinct): [start, b1), [b1, b2), ...,
// [bn, open end); `total` rows shared out evenly.
std::vector<KeyRange> RangesBetween(const std::vector<Key>& bounds, long long total);

}  // namespace tandem::backfill
