#include "backfill/postgres/range_planner.h"

#include <algorithm>

namespace tandem::backfill {
namespace {

// The statistics are trusted while less than this share of the table has
// changed since the last ANALYZE.
constexpr double kFreshStatsShare = 0.1;
// A sample reads about this many pages (TABLESAMPLE SYSTEM picks pages), so
// planning stays cheap on a table of any size.
constexpr double kSamplePages = 1000;

long long Number(const backend::Value& v) { return v ? std::stoll(*v) : 0; }

long long Pages(const TableFacts& facts) {
  return std::max(facts.pages, facts.bytes / std::max(1LL, facts.block_size));
}

bool FreshStats(const TableFacts& facts) {
  return facts.reltuples > 0 && facts.modified_since_analyze >= 0 &&
         facts.modified_since_analyze < kFreshStatsShare * static_cast<double>(facts.reltuples);
}

// A page-range split: the last range ends at today's last page. Rows
// inserted later, and rows moved by an update, were written through the
// dual-write trigger and are marked already.
std::vector<KeyRange> PageRanges(const TableFacts& facts, int count) {
  long long pages = Pages(facts);
  count = static_cast<int>(std::clamp<long long>(pages, 1, count));
  std::vector<KeyRange> ranges;
  for (int i = 0; i < count; ++i) {
    KeyRange r;
    r.number = i;
    r.lower = {std::to_string(pages * i / count)};
    r.upper = {std::to_string(pages * (i + 1) / count)};
    r.estimated_rows = std::max(0LL, facts.reltuples) / count;
    ranges.push_back(r);
  }
  return ranges;
}

Result<std::vector<Key>> HistogramBounds(backend::Connection& conn, const PgStatements& statements,
                                         int count) {
  Statement s = statements.HistogramBounds();
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn.Query(s.sql, s.params));
  std::vector<std::string> sorted;
  for (const auto& r : rows.rows) sorted.push_back(r[0].value_or(""));
  std::vector<Key> bounds;
  for (const auto& b : PickBounds(sorted, count)) bounds.push_back({b});
  return bounds;
}

// Bounds from a sample; also sets `sampled_total` to the table's estimated
// rows (exact when the sample is the whole table).
Result<std::vector<Key>> SampleBounds(backend::Connection& conn, const PgStatements& statements,
                                      const TableFacts& facts, int count,
                                      long long* sampled_total) {
  double percent = std::min(100.0, 100.0 * kSamplePages / std::max(1LL, Pages(facts)));
  Statement s = statements.SampleBounds(count, percent);
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn.Query(s.sql, s.params));
  std::vector<Key> bounds;
  *sampled_total = 0;
  for (const auto& r : rows.rows) {
    *sampled_total = static_cast<long long>(Number(r[1]) * 100.0 / percent);
    if (Number(r[0]) > 1) bounds.push_back(Key(r.begin() + 2, r.end()));
  }
  return bounds;
}

}  // namespace

double TableFacts::RowsPerPage() const {
  long long pages = Pages(*this);
  if (reltuples <= 0 || pages <= 0) return 100;
  return std::max(1.0, static_cast<double>(reltuples) / pages);
}

Result<TableFacts> ReadTableFacts(backend::Connection& conn, const PgStatements& statements) {
  Statement s = statements.TableStats();
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn.Query(s.sql, s.params));
  if (rows.rows.empty()) {
    return Status::Refused("table " + statements.qualified_table() + " does not exist any more");
  }
  const backend::Row& r = rows.rows[0];
  return TableFacts{Number(r[0]), Number(r[1]), Number(r[2]), r[3] ? Number(r[3]) : -1,
                    Number(r[4])};
}

std::vector<KeyRange> RangesBetween(const std::vector<Key>& bounds, long long total) {
  std::vector<KeyRange> ranges(bounds.size() + 1);
  for (size_t i = 0; i < ranges.size(); ++i) {
    ranges[i].number = static_cast<int>(i);
    if (i > 0) ranges[i].lower = bounds[i - 1];
    if (i < bounds.size()) ranges[i].upper = bounds[i];
    ranges[i].estimated_rows = std::max(0LL, total) / static_cast<long long>(ranges.size());
  }
  return ranges;
}

Result<std::vector<KeyRange>> PlanRanges(backend::Connection& conn, const PgStatements& statements,
                                         const TableFacts& facts, int count) {
  if (statements.by_ctid()) return PageRanges(facts, count);
  long long total = facts.reltuples;
  std::vector<Key> bounds;
  // The histogram is per column: it splits only single-column keys.
  if (FreshStats(facts) && statements.key_count() == 1) {
    TANDEM_ASSIGN_OR_RETURN(bounds, HistogramBounds(conn, statements, count));
  }
  if (bounds.empty() && count > 1) {
    long long sampled = 0;
    TANDEM_ASSIGN_OR_RETURN(bounds, SampleBounds(conn, statements, facts, count, &sampled));
    if (!FreshStats(facts)) total = sampled;
  }
  return RangesBetween(bounds, total);
}

}  // namespace tandem::backfill
