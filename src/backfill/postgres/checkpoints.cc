#include "backfill/postgres/checkpoints.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "backends/number.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

// A key stored as text[] and read back through to_json().
Key KeyFromJson(const backend::Value& text) {
  Key key;
  if (!text) return key;
  for (const auto& element : nlohmann::json::parse(*text)) {
    key.push_back(element.is_null() ? backend::Value() : element.get<std::string>());
  }
  return key;
}

// A ctid walk's keys are page numbers: checked here, where they come back
// from the database, so the statements built from them can trust them.
Status CheckPages(const KeyRange& range) {
  for (const Key* key : {&range.lower, &range.upper, &range.last}) {
    if (key->empty()) continue;
    TANDEM_RETURN_IF_ERROR(
        backend::ToInteger(key->at(0), "a page of range " + std::to_string(range.number)).status());
  }
  return Status::Ok();
}

Result<KeyRange> RangeFromRow(const backend::Row& r, bool by_ctid) {
  backend::NumberReader read;
  KeyRange range;
  range.number = static_cast<int>(read.Integer(r[0], "a checkpoint's range number"));
  range.lower = KeyFromJson(r[1]);
  range.upper = KeyFromJson(r[2]);
  range.last = KeyFromJson(r[3]);
  range.estimated_rows = read.Integer(r[4], "the estimated rows of a checkpoint");
  range.rows_done = read.Integer(r[5], "the rows done of a checkpoint");
  range.done = r[6] == backend::Value("t");
  TANDEM_RETURN_IF_ERROR(read.status());
  if (by_ctid) TANDEM_RETURN_IF_ERROR(CheckPages(range));
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
  for (const auto& r : rows.rows) {
    TANDEM_ASSIGN_OR_RETURN(KeyRange range, RangeFromRow(r, statements.by_ctid()));
    ranges.push_back(std::move(range));
  }
  return ranges;
}

Result<KeyRange> LoadRange(backend::Connection& conn, const PgStatements& statements, int number) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, Run(conn, statements.LoadRange(number)));
  if (rows.rows.empty()) {
    return Status::Internal("the checkpoint of range " + std::to_string(number) + " of " +
                            statements.qualified_table() + " is gone");
  }
  return RangeFromRow(rows.rows[0], statements.by_ctid());
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
                                      p.chunk_histogram.ToText(), starting))
      .status();
}

Result<std::vector<Progress>> ReadProgress(backend::Connection& conn,
                                           const CheckpointStore& store) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      Run(conn, PgStatements::ReadProgress(store.state_schema, store.migration_id)));
  std::vector<Progress> out;
  for (const auto& r : rows.rows) {
    backend::NumberReader read;
    Progress p;
    p.table = r[0].value_or("");
    p.rows_scanned = read.Integer(r[1], "rows scanned of " + p.table);
    p.rows_updated = read.Integer(r[2], "rows updated of " + p.table);
    p.estimated_total = std::max(read.Integer(r[3], "estimated rows of " + p.table),
                                 read.Integer(r[18], "rows planned of " + p.table));
    p.chunks = static_cast<int>(read.Integer(r[4], "chunks of " + p.table));
    p.ranges_done = static_cast<int>(read.Integer(r[5], "ranges done of " + p.table));
    p.ranges_total = static_cast<int>(read.Integer(r[6], "ranges of " + p.table));
    p.state = r[7].value_or("");
    p.rows_per_second = read.Double(r[8], "rows per second of " + p.table);
    if (r[9]) p.eta = Millis(read.Integer(r[9], "time left of " + p.table));
    p.workers = static_cast<int>(read.Integer(r[10], "workers of " + p.table));
    p.max_workers = static_cast<int>(read.Integer(r[11], "most workers of " + p.table));
    p.batch_size = static_cast<int>(read.Integer(r[12], "batch size of " + p.table));
    p.retries = static_cast<int>(read.Integer(r[13], "retries of " + p.table));
    p.waiting_reason = r[14].value_or("");
    p.updated_at = r[15].value_or("");
    p.elapsed = Millis(read.Integer(r[17], "time elapsed of " + p.table));
    TANDEM_RETURN_IF_ERROR(read.status());
    TANDEM_ASSIGN_OR_RETURN(p.chunk_histogram, ChunkHistogram::FromText(r[19].value_or("")));
    p.done = p.ranges_total > 0 && p.ranges_done == p.ranges_total;
    SettleReadProgress(p, /*silent=*/r[16] == backend::Value("t"));
    out.push_back(std::move(p));
  }
  return out;
}

std::string CheckpointTablesSql(const std::string& state_schema) {
  return PgStatements::CreateTables(state_schema);
}

}  // namespace tandem::backfill
