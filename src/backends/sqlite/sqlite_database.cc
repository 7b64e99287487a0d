#include "backends/sqlite/sqlite_database.h"

#include "backends/sqlite/sqlite_catalog.h"
#include "backends/sqlite/sqlite_connection.h"
#include "backends/step_retry.h"
#include "common/strings.h"

namespace tandem::backend::sqlite {
namespace {

// Which rows break a foreign key after a rebuild, in words.
Status CheckForeignKeys(Connection& conn) {
  TANDEM_ASSIGN_OR_RETURN(
      QueryResult broken,
      conn.Query("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check "
                 "LIMIT 5"));
  if (broken.rows.empty()) return Status::Ok();
  std::vector<std::string> rows;
  for (const auto& r : broken.rows) {
    rows.push_back(r[0].value_or("?") + " rowid " + r[1].value_or("?") + " -> " +
                   r[2].value_or("?"));
  }
  return Status::Refused("the table rebuild would leave rows whose foreign keys point nowhere (" +
                         Join(rows, "; ") +
                         "); nothing was changed. Fix those rows, then run the command again");
}

// One attempt: the statements in one IMMEDIATE transaction (which takes the
// write lock up front, waiting at most the lock timeout for it).
// `record` last, so that the step and its record commit together.
Status RunOnce(Connection& conn, const plan::Step& step, const LockPolicy& policy,
               const std::function<Status()>& record) {
  TANDEM_RETURN_IF_ERROR(
      conn.Execute("PRAGMA busy_timeout = " + std::to_string(policy.lock_timeout.count())));
  // Enforcement can only be switched outside a transaction; a rebuild needs
  // it off so dropping the old table does not cascade (sqlite.org, "Making
  // Other Kinds Of Table Schema Changes").
  if (step.check_foreign_keys) TANDEM_RETURN_IF_ERROR(conn.Execute("PRAGMA foreign_keys = OFF"));
  Status status = conn.Execute("BEGIN IMMEDIATE");
  for (size_t i = 0; status.ok() && i < step.statements.size(); ++i) {
    status = conn.Execute(step.statements[i]);
  }
  if (status.ok() && step.check_foreign_keys) status = CheckForeignKeys(conn);
  if (status.ok() && record) status = record();
  if (status.ok()) status = conn.Execute("COMMIT");
  if (!status.ok()) (void)conn.Execute("ROLLBACK");
  (void)conn.Execute("PRAGMA foreign_keys = ON");
  (void)conn.Execute("PRAGMA busy_timeout = 5000");
  return status;
}

}  // namespace

Result<SqliteTarget> ParseSqliteUrl(const std::string& url) {
  SqliteTarget target;
  if (StartsWith(url, "file:")) {
    target.open_name = url;
    std::string rest = url.substr(5);
    if (StartsWith(rest, "//")) rest = rest.substr(2);  // file://[host]/path: no host allowed
    target.file = rest.substr(0, rest.find_first_of("?#"));
  } else {
    std::string rest = url.substr(std::string("sqlite:").size());
    if (StartsWith(rest, "//")) rest = rest.substr(2);  // sqlite:///abs -> /abs, sqlite://rel
    target.file = rest;
    target.open_name = rest;
  }
  if (target.file.empty() || target.file == ":memory:") {
    return Status::InvalidInput("\"" + url +
                                "\" names no database file: use sqlite:PATH, "
                                "sqlite:///absolute/path or file:PATH (an in-memory database "
                                "cannot be shared with the application)");
  }
  return target;
}

Result<std::unique_ptr<Connection>> SqliteDatabase::Connect() {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                          SqliteConnection::Open(target_.open_name, OpenOptions{}));
  return std::unique_ptr<Connection>(std::move(conn));
}

Result<std::unique_ptr<Connection>> SqliteDatabase::ConnectToRead() {
  OpenOptions options;
  options.read_only = true;
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                          SqliteConnection::Open(target_.open_name, options));
  return std::unique_ptr<Connection>(std::move(conn));
}

Result<std::unique_ptr<Connection>> SqliteDatabase::ConnectToScratch() {
  OpenOptions options;
  options.create = true;
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                          SqliteConnection::Open(":memory:", options));
  return std::unique_ptr<Connection>(std::move(conn));
}

Result<std::unique_ptr<Database>> SqliteDatabase::BackupTo(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                          SqliteConnection::Open(target_.open_name, OpenOptions{}));
  TANDEM_RETURN_IF_ERROR(conn->BackupTo(path));
  return std::unique_ptr<Database>(std::make_unique<SqliteDatabase>(SqliteTarget{path, path}));
}

Result<plan::Catalog> SqliteDatabase::LoadCatalog(Connection& conn, const std::string&) {
  return LoadSqliteCatalog(conn);
}

Result<StepOutcome> SqliteDatabase::RunStep(Connection& conn, const std::string&,
                                            const plan::Step& step, const LockPolicy& policy,
                                            const RetryObserver& observer,
                                            const std::function<Status()>& record) {
  auto attempt = [&] { return RunOnce(conn, step, policy, record); };
  // SQLite does not say who holds its write lock; the lock file names a
  // tandem runner, anything else is the application.
  auto blockers = [] { return std::vector<std::string>{"another connection's write transaction"}; };
  return RunStepWithRetries(step, policy, observer, attempt, blockers);
}

Result<bool> SqliteDatabase::TryRunnerLock(Connection&, const std::string&) {
  // One lock per database file: SQLite has one schema per file.
  if (!lock_) lock_ = std::make_unique<RunnerLockFile>(target_.file);
  TANDEM_ASSIGN_OR_RETURN(bool got, lock_->TryLock());
  if (!got) {
    holder_ = lock_->Holder();
    lock_.reset();
  }
  return got;
}

std::string SqliteDatabase::DescribeRunnerLockHolder(Connection&, const std::string&) {
  return holder_;
}

Result<std::vector<MigrationObject>> SqliteDatabase::MigrationObjectsOn(Connection& conn,
                                                                        const std::string&,
                                                                        const std::string& table) {
  TANDEM_ASSIGN_OR_RETURN(QueryResult found, conn.Query(R"sql(
SELECT 't', 'trigger "' || name || '"', name FROM sqlite_schema
WHERE type = 'trigger' AND tbl_name = $1 AND name LIKE '\_tandem\_%' ESCAPE '\'
UNION ALL
SELECT 'f', 'column "' || name || '"', name FROM pragma_table_info($1)
WHERE name LIKE '\_tandem\_%' ESCAPE '\')sql",
                                                        {table}));
  std::vector<MigrationObject> objects;
  for (const auto& row : found.rows)
    objects.push_back({row[0] == Value("t"), row[1].value_or(""), row[2].value_or(""), ""});
  return objects;
}

}  // namespace tandem::backend::sqlite
