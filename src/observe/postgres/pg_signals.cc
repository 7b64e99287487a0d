#include "observe/postgres/pg_signals.h"

#include "backends/number.h"

namespace tandem::observe {
namespace {

// Read-only and short: a statistics query must never hold the window up.
constexpr char kSessionSetup[] =
    "SET statement_timeout = '2s'; SET default_transaction_read_only = on";

constexpr char kDatabaseCounters[] =
    "SELECT d.xact_rollback, d.deadlocks, "
    "(SELECT count(*) FROM pg_stat_activity a WHERE a.datname = current_database() "
    "AND a.wait_event_type = 'Lock'), d.xact_commit "
    "FROM pg_stat_database d WHERE d.datname = current_database()";

// pg_stat_statements is usable when its view exists here and the library
// is preloaded (reading the view fails otherwise).
constexpr char kHasStatements[] = "SELECT to_regclass('pg_stat_statements') IS NOT NULL";

// A table name as a word of a regular expression, quotes optional.
std::string WordPattern(const std::string& table) {
  std::string escaped;
  for (char c : table) {
    if (std::string("\\.^$|?*+()[]{}").find(c) != std::string::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

class PostgresSignals : public EngineSignals {
 public:
  PostgresSignals(Connector connect, std::vector<std::string> tables)
      : connect_(std::move(connect)), tables_(std::move(tables)) {}

  Result<Counters> Take() override {
    TANDEM_RETURN_IF_ERROR(Open());
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn_->Query(kDatabaseCounters));
    if (rows.rows.empty() || rows.rows[0].size() < 4) {
      return Status::Internal("pg_stat_database has no row for the current database");
    }
    Counters counters;
    backend::NumberReader read;
    counters.rollbacks = read.Double(rows.rows[0][0], "pg_stat_database.xact_rollback");
    counters.deadlocks = read.Double(rows.rows[0][1], "pg_stat_database.deadlocks");
    counters.lock_waits = read.Double(rows.rows[0][2], "sessions waiting for a lock");
    counters.commits = read.Double(rows.rows[0][3], "pg_stat_database.xact_commit");
    TANDEM_RETURN_IF_ERROR(read.status());
    if (has_statements_ && !tables_.empty()) {
      TANDEM_ASSIGN_OR_RETURN(backend::QueryResult stats, conn_->Query(StatementsSql()));
      if (!stats.rows.empty() && stats.rows[0].size() >= 2) {
        backend::NumberReader numbers;
        counters.calls = numbers.Double(stats.rows[0][0], "pg_stat_statements.calls");
        counters.exec_ms = numbers.Double(stats.rows[0][1], "pg_stat_statements.total_exec_time");
        TANDEM_RETURN_IF_ERROR(numbers.status());
      }
    }
    return counters;
  }

  std::vector<std::string> Gaps() const override {
    if (has_statements_ || !opened_) return {};
    return {
        "pg_stat_statements is not installed in this database: statement times are not "
        "watched (CREATE EXTENSION pg_stat_statements, with the library in "
        "shared_preload_libraries, to watch them)"};
  }

 private:
  Status Open() {
    if (conn_ && conn_->Healthy()) return Status::Ok();
    conn_.reset();
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> conn, connect_());
    TANDEM_RETURN_IF_ERROR(conn->Execute(kSessionSetup));
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult has, conn->Query(kHasStatements));
    has_statements_ = has.Scalar() == "t";
    if (has_statements_) {
      // The view errors when the library was not preloaded.
      has_statements_ = conn->Query("SELECT 1 FROM pg_stat_statements LIMIT 1").ok();
    }
    conn_ = std::move(conn);
    opened_ = true;
    return Status::Ok();
  }

  std::string StatementsSql() const {
    std::string pattern;
    for (const auto& table : tables_) pattern += (pattern.empty() ? "" : "|") + WordPattern(table);
    std::string quoted;
    for (char c : "\\m(" + pattern + ")\\M") {
      quoted += c;
      if (c == '\'') quoted += '\'';
    }
    return "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0) "
           "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
           "WHERE d.datname = current_database() AND s.query ~* '" +
           quoted + "' AND s.query !~* 'pg_stat_statements'";
  }

  Connector connect_;
  std::vector<std::string> tables_;
  std::unique_ptr<backend::Connection> conn_;
  bool has_statements_ = false;
  bool opened_ = false;
};

}  // namespace

std::unique_ptr<EngineSignals> MakePostgresSignals(Connector connect,
                                                   std::vector<std::string> tables) {
  return std::make_unique<PostgresSignals>(std::move(connect), std::move(tables));
}

}  // namespace tandem::observe
