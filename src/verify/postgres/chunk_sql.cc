#include "verify/postgres/chunk_sql.h"

#include "backends/number.h"
#include "common/strings.h"

namespace tandem::verify {
namespace {

const char* WriterOf(const std::string& direction) {
  return direction == "up" ? plan::kWrittenByOld : plan::kWrittenByNew;
}

// `sum(cond::int)`: counts the rows where `cond` holds, a little cheaper per
// row than count(*) FILTER; NULL (read as 0) when the chunk is empty.
std::string CountWhere(const std::string& condition) { return "sum((" + condition + ")::int)"; }

// In a bounded scope the row count is packed below this weight (2^31).
constexpr long long kRowsPackedBelow = 1LL << 31;

// What ConsistentChunkSql sums per row. A row that is not consistent adds
// the smallest bigint, so the sum goes negative (all other rows together add
// less than 2^63). Otherwise, in a bounded scope, a row adds 1, plus
// kRowsPackedBelow when the new version wrote it, so one sum carries both
// counts; in other scopes the rows are counted apart and a row adds 1 when
// the new version wrote it. One sum of constants that CASE picks costs less
// per row than one count per figure (bench/README.md).
constexpr char kInconsistentRow[] = "'-9223372036854775808'::bigint";

// True when column `c` of the row differs from its expression.
std::string Differs(const plan::ColumnSync& c) {
  return std::string(kAlias) + "." + QuoteIdent(c.target) + " IS DISTINCT FROM (" + c.expression +
         ")";
}

}  // namespace

std::string WrittenBy() { return std::string(kAlias) + "." + QuoteIdent(plan::kWrittenByColumn); }

std::string Mismatch(const std::string& direction, const plan::ColumnSync& c) {
  return "(" + WrittenBy() + " = " + WriterOf(direction) + " AND " + Differs(c) + ")";
}

std::string Where(const Scope& scope) { return scope.where.empty() ? "" : " WHERE " + scope.where; }

// Each expression is evaluated once per row, in the inner query over
// `from_where` (FROM ... WHERE ...).
std::string AggregateSql(const plan::TableSync& sync, const std::vector<ColumnCheck>& checks,
                         const std::vector<std::string>& defaults, const std::string& from_where) {
  std::vector<std::string> inner = {WrittenBy() + " AS w"};
  std::vector<std::string> any;
  std::string per_check;
  for (size_t i = 0; i < checks.size(); ++i) {
    const ColumnCheck& c = checks[i];
    std::string n = std::to_string(i);
    std::string writer = WriterOf(c.direction);
    per_check += ", " + CountWhere("w = " + writer);
    if (!c.compared()) {
      per_check += ", 0";
      continue;
    }
    inner.push_back(std::string(kAlias) + "." + QuoteIdent(c.sync->target) + " AS t" + n);
    inner.push_back("(" + c.sync->expression + ") AS e" + n);
    std::string mismatch = "w = " + writer + " AND t" + n + " IS DISTINCT FROM e" + n;
    any.push_back("(" + mismatch + ")");
    per_check += ", " + CountWhere(mismatch);
  }
  std::string outer = "SELECT count(*), " + CountWhere("w IS NULL") + ", " +
                      CountWhere(any.empty() ? "false" : Join(any, " OR ")) + per_check;
  for (size_t u = 0; u < sync.up.size(); ++u) {
    // The up checks come first in `checks`, in the order of sync.up; a
    // skipped one has no t/e columns yet.
    std::string n = std::to_string(u);
    if (!checks[u].compared()) {
      inner.push_back(std::string(kAlias) + "." + QuoteIdent(sync.up[u].target) + " AS t" + n);
      inner.push_back("(" + sync.up[u].expression + ") AS e" + n);
    }
    // Drift is measured over the rows a version or the backfill wrote: a row
    // the backfill has not reached says nothing about the data yet.
    auto marked = [](const std::string& condition) {
      return CountWhere("w IS NOT NULL AND " + condition);
    };
    outer += ", " + marked("t" + n + " IS NULL") + ", " + marked("e" + n + " IS NULL");
    const std::string& d = defaults[u];
    outer += d.empty() ? ", 0, 0"
                       : ", " + marked("t" + n + " IS NOT DISTINCT FROM (" + d + ")") + ", " +
                             marked("e" + n + " IS NOT DISTINCT FROM (" + d + ")");
  }
  return outer + " FROM (SELECT " + Join(inner, ", ") + " " + from_where + ") AS s";
}

// The cheap aggregate of a chunk where every row is consistent, which after a
// backfill is nearly every chunk: the row count (unless `scope` is bounded),
// the sum of the row codes, then per up column its non-NULL values and, where
// it has a default, its default values. A row is consistent when it is
// backfilled, every new column equals `up` of the old ones (also for rows the
// new version wrote, so NULL and default counts of `up` equal those of the
// new column), and for rows the new version wrote every old column equals
// `down`; `down` is evaluated only for those rows. Only when no row breaks
// that do the counts of AggregateSql follow from these; otherwise the chunk is
// scanned again with AggregateSql.
std::string ConsistentChunkSql(const plan::TableSync& sync,
                               const std::vector<std::string>& defaults, const Scope& scope) {
  std::vector<std::string> up;
  for (const auto& c : sync.up) up.push_back(Differs(c));
  std::vector<std::string> down;
  for (const auto& c : sync.down) down.push_back(Differs(c));
  std::string old_row = scope.bounded ? "1" : "0";
  std::string new_row = scope.bounded ? std::to_string(kRowsPackedBelow + 1) : "1";
  if (!down.empty()) {
    new_row = "CASE WHEN " + Join(down, " OR ") + " THEN " + kInconsistentRow + " ELSE " + new_row +
              " END";
  }
  std::string code = "CASE";
  if (!up.empty()) code += " WHEN " + Join(up, " OR ") + " THEN " + kInconsistentRow;
  code += " WHEN " + WrittenBy() + " = " + plan::kWrittenByOld + " THEN " + old_row + " WHEN " +
          WrittenBy() + " = " + plan::kWrittenByNew + " THEN " + new_row + " ELSE " +
          kInconsistentRow + " END";
  std::string sql =
      std::string("SELECT ") + (scope.bounded ? "" : "count(*), ") + "sum(" + code + ")";
  for (size_t u = 0; u < sync.up.size(); ++u) {
    std::string column = std::string(kAlias) + "." + QuoteIdent(sync.up[u].target);
    sql += ", count(" + column + ")";
    if (!defaults[u].empty()) {
      sql += ", count(*) FILTER (WHERE " + column + " IS NOT DISTINCT FROM (" + defaults[u] + "))";
    }
  }
  return sql + " FROM " + scope.from + Where(scope);
}

std::optional<ConsistentCounts> ReadConsistentRow(const Scope& scope,
                                                  const std::vector<std::string>& defaults,
                                                  const backend::Row& row) {
  size_t i = 0;
  backend::NumberReader read;
  ConsistentCounts counts;
  if (!scope.bounded) counts.rows = read.Integer(row.at(i++), "the rows");
  const backend::Value& code = row.at(i++);
  // A negative sum (the text of a numeric) marks a row that is not consistent.
  if (code && code->front() == '-') return std::nullopt;
  long long sum = read.Integer(code, "the sum of the rows' codes");
  if (scope.bounded) {
    counts.rows = sum % kRowsPackedBelow;
    counts.written_by_new = sum / kRowsPackedBelow;
  } else {
    counts.written_by_new = sum;
  }
  for (const auto& d : defaults) {
    counts.nulls.push_back(counts.rows - read.Integer(row.at(i++), "the values"));
    counts.defaults.push_back(d.empty() ? 0 : read.Integer(row.at(i++), "the defaults"));
  }
  if (!read.status().ok()) return std::nullopt;
  return counts;
}

}  // namespace tandem::verify
