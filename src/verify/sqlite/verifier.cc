#include "verify/sqlite/verifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

#include "backends/number.h"
#include "common/strings.h"
#include "lint/pg_parse.h"
#include "plan/sqlite/sqlite_planner.h"
#include "verify/column_check.h"
#include "verify/invariants.h"

namespace tandem::verify {
namespace {

using Clock = std::chrono::steady_clock;

// Functions whose value changes from call to call: a column filled by them
// cannot be recomputed, so it is reported, not compared.
std::string Unreproducible(const std::string& expression) {
  static const std::set<std::string> kChanging = {
      "random",        "randomblob",        "changes",
      "total_changes", "last_insert_rowid", "date",
      "time",          "datetime",          "julianday",
      "strftime",      "unixepoch",         "current_timestamp",
      "current_date",  "current_time"};
  auto functions = lint::CalledFunctions(expression);
  if (!functions.ok()) return "";
  std::vector<std::string> found;
  for (const auto& f : *functions) {
    if (kChanging.count(f) > 0) found.push_back(f);
  }
  if (found.empty()) return "";
  return "its expression calls functions whose result changes (" + Join(found, ", ") + ")";
}

std::string Marker() { return "new." + QuoteIdent(plan::kWrittenByColumn); }

std::string Sum(const std::string& condition) { return "coalesce(sum(" + condition + "), 0)"; }

std::string KeyText(const plan::TableSync& sync) {
  std::vector<std::string> keys;
  for (const auto& k : sync.key_columns) keys.push_back("new." + QuoteIdent(k));
  if (keys.empty()) return "new.rowid";
  return Join(keys, " || ',' || ");
}

// The rowids a scan of one range covers: after `after`, up to `upto`.
struct RowidRange {
  long long after = 0;
  long long upto = 0;
};

// About this many rowids per range: each range is one short read
// transaction, and there are enough of them to keep every reader busy.
constexpr long long kRangeRowids = 50000;

// Runs `sql` (an aggregate of sums and counts over the rowids after $1 up
// to $2) over `ranges` on `readers` connections of their own, each range in
// its own read transaction (WAL: no writer waits for them), and adds the
// results up column by column.
Result<std::vector<long long>> SumInParallel(const ReaderConnector& connect, int readers,
                                             const std::string& sql,
                                             const std::vector<RowidRange>& ranges,
                                             const Options& options) {
  std::mutex mutex;
  size_t next = 0;
  std::vector<long long> sums;
  Status failure = Status::Ok();
  auto read = [&](backend::Connection& conn) -> Status {
    for (;;) {
      RowidRange range;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= ranges.size() || !failure.ok()) return Status::Ok();
        range = ranges[next++];
        if (options.before_chunk) TANDEM_RETURN_IF_ERROR(options.before_chunk());
      }
      TANDEM_RETURN_IF_ERROR(conn.Execute("BEGIN"));
      auto result = conn.Query(sql, {std::to_string(range.after), std::to_string(range.upto)});
      (void)conn.Execute("COMMIT");
      if (!result.ok()) return result.status();
      const backend::Row& row = result->rows.at(0);
      std::vector<long long> values;
      for (const auto& v : row) {
        TANDEM_ASSIGN_OR_RETURN(long long n, backend::ToInteger(v, "a count", 0));
        values.push_back(n);
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (sums.empty()) sums.assign(values.size(), 0);
      for (size_t i = 0; i < values.size() && i < sums.size(); ++i) sums[i] += values[i];
    }
  };
  std::vector<std::thread> threads;
  int count = std::max(1, std::min<int>(readers, static_cast<int>(ranges.size())));
  for (int t = 0; t < count; ++t) {
    threads.emplace_back([&] {
      Status status = Status::Ok();
      auto conn = connect();
      status = conn.ok() ? read(**conn) : conn.status();
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(mutex);
        if (failure.ok()) failure = status;
      }
    });
  }
  for (auto& t : threads) t.join();
  TANDEM_RETURN_IF_ERROR(failure);
  return sums;
}

// The table's rowids cut into ranges of about kRangeRowids.
Result<std::vector<RowidRange>> RangesOf(backend::Connection& conn, const std::string& table) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult bounds,
                          conn.Query("SELECT min(rowid), max(rowid) FROM " + QuoteIdent(table)));
  std::vector<RowidRange> ranges;
  const backend::Row& row = bounds.rows.at(0);
  if (!row[0]) return ranges;
  TANDEM_ASSIGN_OR_RETURN(long long first, backend::ToInteger(row[0], "the first rowid"));
  TANDEM_ASSIGN_OR_RETURN(long long last, backend::ToInteger(row[1], "the last rowid"));
  for (long long after = first - 1; after < last; after += kRangeRowids) {
    ranges.push_back({after, std::min(last, after + kRangeRowids)});
  }
  return ranges;
}

std::vector<ColumnCheck> ChecksOf(const plan::TableSync& sync) {
  std::vector<ColumnCheck> checks;
  auto add = [&](const char* direction, const plan::ColumnSync& c) {
    const char* writer = std::string(direction) == "up" ? plan::kWrittenByOld : plan::kWrittenByNew;
    checks.push_back({direction, &c,
                      "(" + Marker() + " = " + writer + " AND new." + QuoteIdent(c.target) +
                          " IS NOT (" + c.expression + "))",
                      Unreproducible(c.expression)});
  };
  for (const auto& c : sync.up) add("up", c);
  for (const auto& c : sync.down) add("down", c);
  return checks;
}

// What one scan of a table counts, before it is written into the report.
struct TableCounts {
  long long rows = 0;
  long long unmarked = 0;
  long long mismatching_rows = 0;
  std::vector<std::pair<long long, long long>> checked_and_mismatches;  // per check
  std::vector<std::pair<long long, long long>> nulls_and_expected;      // per up column
};

// The common case, every row in parity, in one pass that evaluates each
// expression once per row and keeps only what is needed to be sure: the
// rows of each writer, the rows where any compared column differs, and the
// NULLs of each new column. When no row differs, a row the old version (or
// the backfill) wrote has `up` NULL exactly where its new column is NULL,
// so `up` need not be evaluated again for the drift; only for rows the new
// version wrote (and for columns not compared) it is. Returns false in
// `in_parity` when some row differs: then FullCounts gives the figures per
// check.
Result<TableCounts> QuickCounts(const ReaderConnector& connect, const plan::TableSync& sync,
                                const std::vector<ColumnCheck>& checks,
                                const std::vector<RowidRange>& ranges, const Options& options,
                                bool& in_parity) {
  const std::string w = Marker();
  std::vector<std::string> differs_up, differs_down;
  for (const auto& c : checks) {
    if (!c.compared()) continue;
    (c.direction == "up" ? differs_up : differs_down)
        .push_back("new." + QuoteIdent(c.sync->target) + " IS NOT (" + c.sync->expression + ")");
  }
  auto any = [](const std::vector<std::string>& d) { return d.empty() ? "0" : Join(d, " OR "); };
  std::vector<std::string> columns = {
      "count(*)", Sum(w + " IS NULL"), Sum(w + " = " + plan::kWrittenByOld),
      Sum(w + " = " + plan::kWrittenByNew),
      Sum("CASE " + w + " WHEN " + plan::kWrittenByOld + " THEN " + any(differs_up) + " WHEN " +
          plan::kWrittenByNew + " THEN " + any(differs_down) + " ELSE 0 END")};
  for (size_t n = 0; n < sync.up.size(); ++n) {
    const ColumnCheck& c = checks[n];  // the up checks come first
    std::string target = "new." + QuoteIdent(c.sync->target);
    std::string up_is_null = "(" + c.sync->expression + ") IS NULL";
    columns.push_back(Sum(w + " IS NOT NULL AND " + target + " IS NULL"));
    if (c.compared()) {
      columns.push_back(Sum("CASE WHEN " + w + " = " + plan::kWrittenByOld + " THEN " + target +
                            " IS NULL WHEN " + w + " IS NOT NULL THEN " + up_is_null + " END"));
    } else {
      columns.push_back(Sum("CASE WHEN " + w + " IS NOT NULL THEN " + up_is_null + " END"));
    }
  }
  TANDEM_ASSIGN_OR_RETURN(
      std::vector<long long> r,
      SumInParallel(connect, options.workers,
                    "SELECT " + Join(columns, ", ") + " FROM " + QuoteIdent(sync.table) +
                        " AS new WHERE new.rowid > $1 AND new.rowid <= $2",
                    ranges, options));
  r.resize(columns.size(), 0);  // no ranges: an empty table
  TableCounts counts;
  counts.rows = r[0];
  counts.unmarked = r[1];
  counts.mismatching_rows = r[4];
  in_parity = counts.mismatching_rows == 0;
  for (const auto& c : checks) {
    counts.checked_and_mismatches.push_back({c.direction == "up" ? r[2] : r[3], 0});
  }
  for (size_t n = 0; n < sync.up.size(); ++n) {
    counts.nulls_and_expected.push_back({r[5 + 2 * n], r[6 + 2 * n]});
  }
  return counts;
}

// Every figure per check, for a table where some row differs.
Result<TableCounts> FullCounts(const ReaderConnector& connect, const plan::TableSync& sync,
                               const std::vector<ColumnCheck>& checks,
                               const std::vector<RowidRange>& ranges, const Options& options) {
  // Each expression is evaluated at most once per row, in the inner query;
  // the outer one compares and counts. (LIMIT -1 keeps SQLite from
  // flattening the inner query into the outer one, which would evaluate
  // them again per use.) `up` is evaluated for every row, as the NULL drift
  // needs it; `down` only for rows the new version wrote.
  std::vector<std::string> inner = {Marker() + " AS w"};
  std::vector<std::string> columns = {"count(*)", Sum("w IS NULL")};
  std::vector<std::string> any;
  std::vector<std::string> per_check;
  for (size_t n = 0; n < checks.size(); ++n) {
    const ColumnCheck& c = checks[n];
    std::string i = std::to_string(n);
    const char* writer = c.direction == "up" ? plan::kWrittenByOld : plan::kWrittenByNew;
    inner.push_back("new." + QuoteIdent(c.sync->target) + " AS t" + i);
    // IS NOT compares with the column's affinity (which the inner query's
    // column keeps): the value as stored. Only rows written in this check's
    // direction are compared.
    std::string differs;
    if (c.direction == "up") {
      inner.push_back("(" + c.sync->expression + ") AS u" + i);
      differs = "CASE WHEN w = " + std::string(writer) + " THEN t" + i + " IS NOT u" + i + " END";
    } else {
      inner.push_back("CASE WHEN " + Marker() + " = " + writer + " THEN new." +
                      QuoteIdent(c.sync->target) + " IS NOT (" + c.sync->expression + ") END AS d" +
                      i);
      differs = "d" + i;
    }
    std::string mismatch = "coalesce(" + differs + ", 0)";
    if (c.compared()) any.push_back(mismatch);
    per_check.push_back(Sum("w = " + std::string(writer)));
    per_check.push_back(c.compared() ? Sum(mismatch) : "0");
  }
  columns.push_back(Sum(any.empty() ? "0" : Join(any, " OR ")));
  for (auto& p : per_check) columns.push_back(p);
  for (size_t n = 0; n < sync.up.size(); ++n) {
    std::string i = std::to_string(n);  // the up checks come first
    // Drift over the rows a version or the backfill wrote (as on PostgreSQL).
    columns.push_back(Sum("w IS NOT NULL AND t" + i + " IS NULL"));
    columns.push_back(Sum("w IS NOT NULL AND u" + i + " IS NULL"));
  }
  TANDEM_ASSIGN_OR_RETURN(
      std::vector<long long> r,
      SumInParallel(connect, options.workers,
                    "SELECT " + Join(columns, ", ") + " FROM (SELECT " + Join(inner, ", ") +
                        " FROM " + QuoteIdent(sync.table) +
                        " AS new WHERE new.rowid > $1 AND new.rowid <= $2 LIMIT -1)",
                    ranges, options));
  r.resize(columns.size(), 0);
  TableCounts counts;
  size_t i = 0;
  counts.rows = r[i++];
  counts.unmarked = r[i++];
  counts.mismatching_rows = r[i++];
  for (size_t n = 0; n < checks.size(); ++n, i += 2) {
    counts.checked_and_mismatches.push_back({r[i], r[i + 1]});
  }
  for (size_t n = 0; n < sync.up.size(); ++n, i += 2) {
    counts.nulls_and_expected.push_back({r[i], r[i + 1]});
  }
  return counts;
}

Status VerifyTable(backend::Connection& conn, const ReaderConnector& connect,
                   const plan::TableSync& sync, const Options& options, Report& report,
                   long long& mismatching_rows) {
  const std::vector<ColumnCheck> checks = ChecksOf(sync);
  TANDEM_ASSIGN_OR_RETURN(std::vector<RowidRange> ranges, RangesOf(conn, sync.table));
  bool in_parity = true;
  TANDEM_ASSIGN_OR_RETURN(TableCounts counts,
                          QuickCounts(connect, sync, checks, ranges, options, in_parity));
  if (!in_parity) {
    TANDEM_ASSIGN_OR_RETURN(counts, FullCounts(connect, sync, checks, ranges, options));
  }
  report.rows += counts.rows;
  if (sync.backfill) report.not_backfilled += counts.unmarked;
  mismatching_rows += counts.mismatching_rows;
  for (size_t n = 0; n < checks.size(); ++n) {
    const ColumnCheck& c = checks[n];
    ColumnParity parity = ParityLine(sync.table, c);
    parity.checked = counts.checked_and_mismatches[n].first;
    parity.mismatches = counts.checked_and_mismatches[n].second;
    if (parity.mismatches > 0) {
      TANDEM_ASSIGN_OR_RETURN(
          backend::QueryResult keys,
          conn.Query("SELECT " + KeyText(sync) + " FROM " + QuoteIdent(sync.table) +
                     " AS new WHERE " + c.mismatch + " ORDER BY new.rowid LIMIT " +
                     std::to_string(options.show)));
      for (const auto& k : keys.rows) parity.example_keys.push_back(k[0].value_or("NULL"));
    }
    report.parity.push_back(parity);
  }
  double total = static_cast<double>(std::max<long long>(1, counts.rows - counts.unmarked));
  for (size_t n = 0; n < sync.up.size(); ++n) {
    ColumnDrift drift;
    drift.table = sync.table;
    drift.column = sync.up[n].target;
    drift.null_ratio = static_cast<double>(counts.nulls_and_expected[n].first) / total;
    drift.expected_null_ratio = static_cast<double>(counts.nulls_and_expected[n].second) / total;
    drift.flagged =
        100.0 * std::fabs(drift.null_ratio - drift.expected_null_ratio) > options.drift_threshold;
    report.drift.push_back(drift);
  }
  return Status::Ok();
}

}  // namespace

Result<Pass> VerifySqlite(backend::Connection& conn, const ReaderConnector& connect,
                          const plan::Plan& plan, const std::vector<plan::Invariant>& invariants,
                          const Options& options) {
  auto started = Clock::now();
  Pass pass;
  Report& report = pass.report;
  report.full = true;
  report.backfill_finished = options.backfill_finished;
  report.parity_threshold = options.parity_threshold;
  report.drift_threshold = options.drift_threshold;
  long long mismatching_rows = 0;
  // Each range of rows is checked in a read transaction of its own, on
  // reader connections in parallel: every check is within one row, so it
  // needs no snapshot wider than the row.
  Status scan = Status::Ok();
  for (const auto& sync : plan.syncs) {
    scan = VerifyTable(conn, connect, sync, options, report, mismatching_rows)
               .WithContext("verify " + sync.table);
    if (!scan.ok()) break;
  }
  // The invariants over the new version's views, in one read transaction.
  if (scan.ok()) scan = conn.Execute("BEGIN");
  for (size_t i = 0; scan.ok() && i < invariants.size(); ++i) {
    scan = CheckInvariant(
        conn, QuoteIdent(plan::sqlite::SqliteViewName(invariants[i].table, plan.version_schema)),
        "t.*", invariants[i], options.show, report);  // examples named by the first column
  }
  (void)conn.Execute("COMMIT");
  TANDEM_RETURN_IF_ERROR(
      FinishReport(report, scan, mismatching_rows,
                   std::chrono::duration<double, std::milli>(Clock::now() - started).count()));
  return pass;
}

}  // namespace tandem::verify
