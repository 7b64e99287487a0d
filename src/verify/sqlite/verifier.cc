#include "verify/sqlite/verifier.h"

#include <chrono>
#include <cmath>
#include <set>

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

Status VerifyTable(backend::Connection& conn, const plan::TableSync& sync, const Options& options,
                   Report& report, long long& mismatching_rows) {
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
    if (c.skipped_because.empty()) any.push_back(mismatch);
    per_check.push_back(Sum("w = " + std::string(writer)));
    per_check.push_back(c.skipped_because.empty() ? Sum(mismatch) : "0");
  }
  columns.push_back(Sum(any.empty() ? "0" : Join(any, " OR ")));
  for (auto& p : per_check) columns.push_back(p);
  for (size_t n = 0; n < sync.up.size(); ++n) {
    std::string i = std::to_string(n);  // the up checks come first
    // Drift over the rows a version or the backfill wrote (as on PostgreSQL).
    columns.push_back(Sum("w IS NOT NULL AND t" + i + " IS NULL"));
    columns.push_back(Sum("w IS NOT NULL AND u" + i + " IS NULL"));
  }
  std::string from = " FROM " + QuoteIdent(sync.table) + " AS new";
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result,
                          conn.Query("SELECT " + Join(columns, ", ") + " FROM (SELECT " +
                                     Join(inner, ", ") + from + " LIMIT -1)"));
  const backend::Row& r = result.rows.at(0);
  size_t i = 0;
  backend::NumberReader read;
  long long rows = read.Integer(r[i++], "the rows");
  report.rows += rows;
  long long unmarked = read.Integer(r[i++], "the rows not backfilled");
  if (sync.backfill) report.not_backfilled += unmarked;
  mismatching_rows += read.Integer(r[i++], "the rows not matching");
  for (const auto& c : checks) {
    ColumnParity parity = ParityLine(sync.table, c);
    parity.checked = read.Integer(r[i++], "the rows checked");
    parity.mismatches = read.Integer(r[i++], "the mismatches");
    if (parity.mismatches > 0) {
      TANDEM_ASSIGN_OR_RETURN(
          backend::QueryResult keys,
          conn.Query("SELECT " + KeyText(sync) + from + " WHERE " + c.mismatch +
                     " ORDER BY new.rowid LIMIT " + std::to_string(options.show)));
      for (const auto& k : keys.rows) parity.example_keys.push_back(k[0].value_or("NULL"));
    }
    report.parity.push_back(parity);
  }
  double total = static_cast<double>(std::max<long long>(1, rows - unmarked));
  for (const auto& c : sync.up) {
    ColumnDrift drift;
    drift.table = sync.table;
    drift.column = c.target;
    drift.null_ratio = static_cast<double>(read.Integer(r[i++], "the NULLs")) / total;
    drift.expected_null_ratio =
        static_cast<double>(read.Integer(r[i++], "the expected NULLs")) / total;
    drift.flagged =
        100.0 * std::fabs(drift.null_ratio - drift.expected_null_ratio) > options.drift_threshold;
    report.drift.push_back(drift);
  }
  return read.status().WithContext("verify " + sync.table);
}

}  // namespace

Result<Pass> VerifySqlite(backend::Connection& conn, const plan::Plan& plan,
                          const std::vector<plan::Invariant>& invariants, const Options& options) {
  auto started = Clock::now();
  Pass pass;
  Report& report = pass.report;
  report.full = true;
  report.backfill_finished = options.backfill_finished;
  report.parity_threshold = options.parity_threshold;
  report.drift_threshold = options.drift_threshold;
  long long mismatching_rows = 0;
  // One read transaction: every table is checked against the same snapshot.
  TANDEM_RETURN_IF_ERROR(conn.Execute("BEGIN"));
  Status scan = Status::Ok();
  for (const auto& sync : plan.syncs) {
    scan = VerifyTable(conn, sync, options, report, mismatching_rows);
    if (!scan.ok()) break;
  }
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
