#include "core/sqlite_progress.h"

#include "backends/number.h"
#include "core/state_sql.h"

namespace tandem::core {
namespace {

// A "running" row older than this was left by a runner that stopped
// without a word.
constexpr int kStaleSeconds = 10;

std::string ProgressTable(const backfill::CheckpointStore& where) {
  return MakeSqliteStateSql(where.state_schema)->Table("backfill_progress");
}

}  // namespace

SqliteProgressLog::SqliteProgressLog(backfill::Connector connect, backfill::CheckpointStore where,
                                     std::chrono::milliseconds every)
    : connect_(std::move(connect)), where_(std::move(where)), every_(every) {}

void SqliteProgressLog::Report(const backfill::Progress& p) {
  auto now = std::chrono::steady_clock::now();
  if (written_ && now - written_at_ < every_) return;
  // Whether it was kept or skipped, the next try is a second away.
  written_at_ = now;
  written_ = true;
  (void)Write(p, "running", std::chrono::milliseconds(0));
}

void SqliteProgressLog::Finish(const backfill::Progress& p, const std::string& state) {
  (void)Write(p, state, std::chrono::milliseconds(2000));
}

bool SqliteProgressLog::Write(const backfill::Progress& p, const std::string& state,
                              std::chrono::milliseconds wait) {
  if (!conn_ || !conn_->Healthy()) {
    Result<std::unique_ptr<backend::Connection>> opened = connect_();
    if (!opened.ok()) return false;
    conn_ = std::move(*opened);
  }
  if (!conn_->Execute("PRAGMA busy_timeout = " + std::to_string(wait.count())).ok()) return false;
  std::string eta = p.eta ? std::to_string(p.eta->count()) : "";
  std::vector<backend::Value> params = {std::to_string(where_.migration_id),
                                        p.table,
                                        std::to_string(p.rows_scanned),
                                        std::to_string(p.estimated_total),
                                        std::to_string(p.rows_per_second),
                                        p.eta ? backend::Value(eta) : backend::Value(),
                                        std::to_string(p.chunks),
                                        std::to_string(p.batch_size),
                                        std::to_string(p.workers),
                                        std::to_string(p.max_workers),
                                        p.waiting_reason,
                                        state};
  return conn_
      ->Query("INSERT INTO " + ProgressTable(where_) +
                  " (migration_id, table_name, rows_done, rows_total, rows_per_second, eta_ms, "
                  "chunks, batch_size, workers, max_workers, waiting_reason, state, updated_at) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, " +
                  MakeSqliteStateSql(where_.state_schema)->Now() +
                  ") ON CONFLICT (migration_id, table_name) DO UPDATE SET rows_done = "
                  "excluded.rows_done, rows_total = excluded.rows_total, rows_per_second = "
                  "excluded.rows_per_second, eta_ms = excluded.eta_ms, chunks = excluded.chunks, "
                  "batch_size = excluded.batch_size, workers = excluded.workers, max_workers = "
                  "excluded.max_workers, waiting_reason = "
                  "excluded.waiting_reason, state = excluded.state, updated_at = "
                  "excluded.updated_at",
              params)
      .ok();
}

Result<std::vector<backfill::Progress>> ReadSqliteProgress(backend::Connection& conn,
                                                           const backfill::CheckpointStore& where) {
  std::unique_ptr<StateSql> sql = MakeSqliteStateSql(where.state_schema);
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult exists,
                          conn.Query(sql->Exist({"backfill_progress"})));
  if (exists.Scalar() != backend::Value("t")) return std::vector<backfill::Progress>();
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn.Query("SELECT table_name, rows_done, rows_total, rows_per_second, eta_ms, "
                 "waiting_reason, state, updated_at, chunks, batch_size, workers, max_workers, "
                 "(julianday('now') - "
                 "julianday(substr(updated_at, 1, 23))) * 86400 > " +
                     std::to_string(kStaleSeconds) + " FROM " + sql->Table("backfill_progress") +
                     " WHERE migration_id = $1 ORDER BY table_name",
                 {std::to_string(where.migration_id)}));
  std::vector<backfill::Progress> out;
  for (const auto& r : rows.rows) {
    backfill::Progress p;
    backend::NumberReader read;
    p.table = r[0].value_or("");
    p.rows_scanned = read.Integer(r[1], "rows done of " + p.table);
    p.estimated_total = read.Integer(r[2], "rows of " + p.table);
    p.rows_per_second = read.Double(r[3], "the rate of " + p.table);
    if (r[4]) p.eta = Millis(read.Integer(r[4], "the ETA of " + p.table));
    p.chunks = static_cast<int>(read.Integer(r[8], "the chunks of " + p.table));
    p.batch_size = static_cast<int>(read.Integer(r[9], "the chunk size of " + p.table));
    p.workers = static_cast<int>(read.Integer(r[10], "the workers of " + p.table));
    p.max_workers = static_cast<int>(read.Integer(r[11], "the workers of " + p.table));
    TANDEM_RETURN_IF_ERROR(read.status());
    p.waiting_reason = r[5].value_or("");
    p.state = r[6].value_or("");
    p.updated_at = r[7].value_or("");
    p.done = p.state == "done";
    backfill::SettleReadProgress(p, /*silent=*/r[12] == backend::Value("1"));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace tandem::core
