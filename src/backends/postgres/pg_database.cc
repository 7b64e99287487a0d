#include "backends/postgres/pg_database.h"

#include "backends/postgres/pg_catalog.h"
#include "backends/postgres/pg_connection.h"
#include "backends/step_retry.h"
#include "common/strings.h"

namespace tandem::backend::postgres {
namespace {

constexpr char kPoolerRefusal[] =
    "connect directly to the server (or through a session-mode pool, e.g. PgBouncer "
    "pool_mode=session): tandem holds a session-level lock for the whole run, which a pooler "
    "in transaction mode hands to other clients";

// The advisory lock space tandem uses: (kLockClass, hashtext(key)).
constexpr char kLockClass[] = "1952542308";  // "tand" as a 32-bit integer

constexpr char kBlockersSql[] = R"sql(
SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''), coalesce(a.state, ''),
       coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0), l.mode,
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 100)
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.granted AND l.locktype = 'relation' AND a.pid <> pg_backend_pid()
  AND l.relation IN (SELECT to_regclass(quote_ident($1) || '.' || quote_ident(t))
                     FROM unnest($2::text[]) t)
ORDER BY a.xact_start NULLS LAST)sql";

// A text[] literal of `items` for a $n parameter.
std::string TextArray(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& item : items) {
    quoted.push_back("\"" + ReplaceAll(ReplaceAll(item, "\\", "\\\\"), "\"", "\\\"") + "\"");
  }
  return "{" + Join(quoted, ",") + "}";
}

Status RunOnce(Connection& conn, const plan::Step& step, const LockPolicy& policy) {
  std::string timeout = std::to_string(policy.lock_timeout.count()) + "ms";
  if (step.concurrent) {
    // CONCURRENTLY cannot run inside a transaction block: session settings.
    TANDEM_RETURN_IF_ERROR(conn.Execute("SET lock_timeout = '" + timeout + "'"));
    Status status = conn.Execute(step.statements.at(0));
    Status reset = conn.Execute("RESET lock_timeout");
    return status.ok() ? reset : status;
  }
  std::string sql = "BEGIN;\nSET LOCAL lock_timeout = '" + timeout + "';\n";
  for (const auto& statement : step.statements) sql += statement + ";\n";
  sql += "COMMIT;";
  Status status = conn.Execute(sql);
  if (!status.ok() && conn.Healthy()) (void)conn.Execute("ROLLBACK");
  return status;
}

// A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind; it must
// go before the build is retried.
void DropInvalidIndex(Connection& conn, const std::string& schema, const std::string& index) {
  auto invalid = conn.Query(
      "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
      {schema, index});
  if (invalid.ok() && invalid->Scalar() == Value("t")) {
    (void)conn.Execute("DROP INDEX CONCURRENTLY IF EXISTS " + QualifiedName(schema, index));
  }
}

}  // namespace

std::vector<std::string> DescribeLockHolders(Connection& conn, const std::string& schema,
                                             const std::vector<std::string>& tables) {
  std::vector<std::string> lines;
  auto rows = conn.Query(kBlockersSql, {schema, TextArray(tables)});
  if (!rows.ok()) return lines;
  for (const auto& r : rows->rows) {
    lines.push_back("pid " + *r[0] + " (user " + *r[1] + ", application '" + *r[2] + "', " + *r[3] +
                    ", transaction open " + *r[4] + "s, holds " + *r[5] + "): " + *r[6]);
  }
  return lines;
}

Result<std::unique_ptr<Connection>> PgDatabase::Connect() {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Open(conninfo_));
  return std::unique_ptr<Connection>(std::move(conn));
}

std::string PgDatabase::Describe() const { return "PostgreSQL"; }

Result<plan::Catalog> PgDatabase::LoadCatalog(Connection& conn, const std::string& schema) {
  return LoadPgCatalog(conn, schema);
}

Result<StepOutcome> PgDatabase::RunStep(Connection& conn, const std::string& schema,
                                        const plan::Step& step, const LockPolicy& policy,
                                        const RetryObserver& observer,
                                        const std::function<Status()>& record) {
  auto attempt = [&] {
    Status status = RunOnce(conn, step, policy);
    if (!status.ok() && !step.index_to_clean.empty() && conn.Healthy()) {
      DropInvalidIndex(conn, schema, step.index_to_clean);
    }
    return status;
  };
  auto blockers = [&] { return DescribeLockHolders(conn, schema, step.tables); };
  TANDEM_ASSIGN_OR_RETURN(StepOutcome outcome,
                          RunStepWithRetries(step, policy, observer, attempt, blockers));
  if (record) TANDEM_RETURN_IF_ERROR(record());
  return outcome;
}

Result<bool> PgDatabase::TryRunnerLock(Connection& conn, const std::string& key) {
  TANDEM_ASSIGN_OR_RETURN(QueryResult got, conn.Query(std::string("SELECT pg_try_advisory_lock(") +
                                                          kLockClass + ", hashtext($1))",
                                                      {key}));
  if (got.Scalar() != Value("t")) return false;
  // In a separate statement: a pooler in transaction mode may already have
  // handed us another server session, which would not hold the lock.
  TANDEM_ASSIGN_OR_RETURN(
      QueryResult held,
      conn.Query(std::string("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                             "pid = pg_backend_pid() AND granted AND classid = ") +
                     kLockClass + " AND objid = hashtext($1)::oid",
                 {key}));
  if (held.Scalar() != Value("1")) {
    return Status::Refused(
        std::string("the session-level lock tandem just took is gone in the next statement: "
                    "the connection goes through a pooler in transaction mode. ") +
        kPoolerRefusal);
  }
  return true;
}

std::string PgDatabase::DescribeRunnerLockHolder(Connection& conn, const std::string& key) {
  auto rows = conn.Query(
      std::string("SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''), "
                  "coalesce(host(a.client_addr), 'local socket'), "
                  "to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') "
                  "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                  "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                  "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                  "AND l.classid = ") +
          kLockClass + " AND l.objid = hashtext($1)::oid",
      {key});
  if (!rows.ok() || rows->rows.empty()) return "another session (it may just have finished)";
  const Row& r = rows->rows[0];
  return "pid " + *r[0] + " (user " + *r[1] + ", application '" + *r[2] + "', from " + *r[3] +
         ", connected since " + *r[4] + ")";
}

Result<std::vector<MigrationObject>> PgDatabase::MigrationObjectsOn(Connection& conn,
                                                                    const std::string& schema,
                                                                    const std::string& table) {
  // A dual-write trigger's function lives in the state schema of the
  // migration that installed it: that names whose migration it is.
  TANDEM_ASSIGN_OR_RETURN(QueryResult found, conn.Query(R"sql(
WITH t AS (SELECT to_regclass(quote_ident($1) || '.' || quote_ident($2)) AS oid)
SELECT 't', format('trigger %I (of a migration whose records are in state schema "%s")',
                   tg.tgname, n.nspname), n.nspname, tg.tgname
FROM t JOIN pg_trigger tg ON tg.tgrelid = t.oid JOIN pg_proc p ON p.oid = tg.tgfoid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE tg.tgname LIKE '\_tandem\_%'
UNION ALL
SELECT 'f', format('column %I', a.attname), '', a.attname
FROM t JOIN pg_attribute a ON a.attrelid = t.oid
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attname LIKE '\_tandem\_%')sql",
                                                        {schema, table}));
  std::vector<MigrationObject> objects;
  for (const auto& row : found.rows) {
    objects.push_back(
        {row[0] == Value("t"), row[1].value_or(""), row[3].value_or(""), row[2].value_or("")});
  }
  return objects;
}

Status PgDatabase::CheckSeparateSessions(Connection& first, Connection& second) {
  TANDEM_ASSIGN_OR_RETURN(QueryResult a, first.Query("SELECT pg_backend_pid()"));
  TANDEM_ASSIGN_OR_RETURN(QueryResult b, second.Query("SELECT pg_backend_pid()"));
  if (a.Scalar() == b.Scalar()) {
    return Status::Refused("two connections of tandem landed on the same server session (pid " +
                           a.Scalar().value_or("?") +
                           "): the URL points at a pooler in transaction mode. " + kPoolerRefusal);
  }
  return Status::Ok();
}

Status PgDatabase::CheckSessionState(Connection& conn) {
  TANDEM_ASSIGN_OR_RETURN(QueryResult first, conn.Query("SELECT pg_backend_pid()"));
  TANDEM_RETURN_IF_ERROR(conn.Execute("SET tandem.session_probe = 'on'"));
  TANDEM_ASSIGN_OR_RETURN(
      QueryResult second,
      conn.Query("SELECT pg_backend_pid(), current_setting('tandem.session_probe', true)"));
  bool same_session = first.Scalar() == second.rows[0][0] && second.rows[0][1] == Value("on");
  if (!same_session) {
    return Status::Refused(
        std::string("session settings do not survive from one statement to the next: the "
                    "connection goes through a pooler in transaction mode. ") +
        kPoolerRefusal);
  }
  return Status::Ok();
}

}  // namespace tandem::backend::postgres
