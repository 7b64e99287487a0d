#include "backfill/postgres/checkpoints.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace tandem::backfill {
namespace {

long long Number(const backend::Value& v) { return v ? std::stoll(*v) : 0; }

// A key stored as text[] and read back through to_json().
Key KeyFromJson(const backend::Value& text) {
  Key key;
  if (!text) return key;
  for (const auto& element : nlohmann::json::parse(*text)) {
    key.push_back(element.is_null() ? backend::Value() : element.get<std::string>());
  }
  return key;
}

KeyRange RangeFromRow(const backend::Row& r) {
  KeyRange range;
  range.number = static_cast<int>(Number(r[0]));
  range.lower = KeyFromJson(r[1]);
  range.upper = KeyFromJson(r[2]);
  range.last = KeyFromJson(r[3]);
  range.estimated_rows = Number(r[4]);
  range.rows_done = Number(r[5]);
  range.done = r[6] == backend::Value("t");
  return range;
}

Result<backend::QueryResult> Run(backend::Connection& conn, const Statement& s) {
  return conn.Query(s.sql, s.params);
}

}  // namespace

Result<std::vector<KeyRange>> LoadRanges(backend::Connection& conn,
                                         const PgStatements& statements) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, Run(conn, statements.LoadRanges()));
  std::vector<KeyRange> ranges;
  for (const auto& r : rows.rows) ranges.push_back(RangeFromRow(r));
  return ranges;
}

Result<KeyRange> LoadRange(backend::Connection& conn, const PgStatements& statements, int number) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, Run(conn, statements.LoadRange(number)));
  if (rows.rows.empty()) {
    return Status::Internal("the checkpoint of range " + std::to_string(number) + " of " +
                            statements.qualified_table() + " is gone");
  }
  return RangeFromRow(rows.rows[0]);
}

// Runs `statements` in one transaction.
Status InTransaction(backend::Connection& conn, const std::vector<Statement>& statements) {
  TANDEM_RETURN_IF_ERROR(conn.Execute("BEGIN"));
  for (const auto& s : statements) {
    auto done = Run(conn, s);
    if (!done.ok()) {
      if (conn.Healthy()) (void)conn.Execute("ROLLBACK");
      return done.status();
    }
  }
  return conn.Execute("COMMIT");
}

Status SaveRanges(backend::Connection& conn, const PgStatements& statements,
                  const std::vector<KeyRange>& ranges) {
  std::vector<Statement> inserts;
  for (const auto& range : ranges) inserts.push_back(statements.InsertRange(range));
  Status saved = InTransaction(conn, inserts);
  if (saved.ok()) return saved;
  return saved.WithContext("cannot store the backfill ranges of " + statements.qualified_table());
}

Status SaveSplit(backend::Connection& conn, const PgStatements& statements, const KeyRange& range,
                 const KeyRange& upper_part) {
  return InTransaction(conn, {statements.SetUpper(range), statements.InsertRange(upper_part)});
}

Status SaveRun(backend::Connection& conn, const PgStatements& statements, const Progress& p,
               const std::string& state, bool starting) {
  long long eta = p.eta ? p.eta->count() : -1;
  return Run(conn, statements.SaveRun(state, p.rows_per_second, eta, p.workers, p.max_workers,
                                      p.batch_size, p.retries, p.waiting_reason, p.estimated_total,
                                      starting))
      .status();
}

Result<std::vector<Progress>> ReadProgress(backend::Connection& conn,
                                           const CheckpointStore& store) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      Run(conn, PgStatements::ReadProgress(store.state_schema, store.migration_id)));
  std::vector<Progress> out;
  for (const auto& r : rows.rows) {
    Progress p;
    p.table = r[0].value_or("");
    p.rows_scanned = Number(r[1]);
    p.rows_updated = Number(r[2]);
    p.estimated_total = std::max(Number(r[3]), Number(r[18]));
    p.chunks = static_cast<int>(Number(r[4]));
    p.ranges_done = static_cast<int>(Number(r[5]));
    p.ranges_total = static_cast<int>(Number(r[6]));
    p.state = r[7].value_or("");
    p.rows_per_second = r[8] ? std::stod(*r[8]) : 0;
    if (r[9]) p.eta = Millis(Number(r[9]));
    p.workers = static_cast<int>(Number(r[10]));
    p.max_workers = static_cast<int>(Number(r[11]));
    p.batch_size = static_cast<int>(Number(r[12]));
    p.retries = static_cast<int>(Number(r[13]));
    p.waiting_reason = r[14].value_or("");
    p.updated_at = r[15].value_or("");
    p.elapsed = Millis(Number(r[17]));
    p.done = p.ranges_total > 0 && p.ranges_done == p.ranges_total;
    p.paused = StartsWith(p.waiting_reason, "paused");
    // A runner killed without a word leaves "running" behind: say it is not.
    if (p.state == "running" && r[16] == backend::Value("t")) p.state = "not running";
    if (p.state != "running") {
      p.workers = 0;
      p.eta.reset();
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string CheckpointTablesSql(const std::string& state_schema) {
  return PgStatements::CreateTables(state_schema);
}

}  // namespace tandem::backfill
