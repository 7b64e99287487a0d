#include "backends/postgres/pg_connection.h"

#include <libpq-fe.h>

#include "backends/number.h"
#include "common/strings.h"

namespace tandem::backend::postgres {
namespace {

void IgnoreNotice(void*, const char*) {}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string FieldOr(const PGresult* r, int field) {
  const char* v = r ? PQresultErrorField(r, field) : nullptr;
  return v ? v : "";
}

// The message of a failed result, with DETAIL and HINT when the server sent them.
std::string ErrorText(const PGresult* r, pg_conn* conn) {
  std::string message = FieldOr(r, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = Trim(PQerrorMessage(conn));
  std::string detail = FieldOr(r, PG_DIAG_MESSAGE_DETAIL);
  std::string hint = FieldOr(r, PG_DIAG_MESSAGE_HINT);
  if (!detail.empty()) message += " (" + detail + ")";
  if (!hint.empty()) message += "; hint: " + hint;
  return message;
}

}  // namespace

Status MapPgError(const std::string& sqlstate, const std::string& message, bool connection_ok) {
  // Every error the server sends carries a SQLSTATE; one without comes from
  // libpq itself, e.g. "server closed the connection unexpectedly" after a
  // crash, while PQstatus may still say CONNECTION_OK.
  if (!connection_ok || sqlstate.empty() || StartsWith(sqlstate, "08") || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03") {
    return Status::Error(ErrorKind::kConnection, "connection to the database lost: " + message,
                         sqlstate, /*retryable=*/true);
  }
  if (sqlstate == "55P03") {
    return Status::Error(ErrorKind::kLockTimeout, message, sqlstate, /*retryable=*/true);
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "57014") {
    return Status::Error(ErrorKind::kDatabase, message, sqlstate, /*retryable=*/true);
  }
  return Status::Error(ErrorKind::kDatabase, message, sqlstate, /*retryable=*/false);
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Status::Error(ErrorKind::kConnection, "out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names host and port, never the password.
    std::string message = Trim(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Error(ErrorKind::kConnection,
                         "cannot connect to PostgreSQL: " + message +
                             ". Check --url (or TANDEM_URL / DATABASE_URL) and that the server "
                             "is running",
                         "08001", /*retryable=*/true);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  auto connection = std::unique_ptr<PgConnection>(new PgConnection(conn));
  TANDEM_RETURN_IF_ERROR(connection->Execute("SET application_name = 'tandem'"));
  return connection;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Execute(const std::string& sql) {
  ResultPtr result(PQexec(conn_, (kStatementMarker + sql).c_str()));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return Status::Ok();
  }
  return Failure(result.get());
}

Status PgConnection::Failure(const pg_result* result) {
  Status status = MapPgError(FieldOr(result, PG_DIAG_SQLSTATE), ErrorText(result, conn_),
                             PQstatus(conn_) == CONNECTION_OK);
  if (status.kind() == ErrorKind::kConnection) lost_ = true;
  return status;
}

Result<QueryResult> PgConnection::Query(const std::string& sql, const std::vector<Value>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  ResultPtr result(PQexecParams(conn_, (kStatementMarker + sql).c_str(),
                                static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                nullptr, 0));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Failure(result.get());
  QueryResult out;
  PGresult* r = result.get();
  int columns = PQnfields(r);
  for (int c = 0; c < columns; ++c) out.columns.push_back(PQfname(r, c));
  for (int row = 0; row < PQntuples(r); ++row) {
    Row values_of_row;
    for (int c = 0; c < columns; ++c) {
      values_of_row.push_back(PQgetisnull(r, row, c) ? Value() : Value(PQgetvalue(r, row, c)));
    }
    out.rows.push_back(std::move(values_of_row));
  }
  const char* affected = PQcmdTuples(r);
  if (affected && *affected) {
    TANDEM_ASSIGN_OR_RETURN(out.affected, ToInteger(Value(affected), "the rows affected"));
  }
  return out;
}

bool PgConnection::Healthy() const { return !lost_ && PQstatus(conn_) == CONNECTION_OK; }

Status PgConnection::Reconnect() {
  PQreset(conn_);
  lost_ = false;
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Status::Error(ErrorKind::kConnection,
                         "cannot reconnect to PostgreSQL: " + Trim(PQerrorMessage(conn_)), "08001",
                         /*retryable=*/true);
  }
  return Execute("SET application_name = 'tandem'");
}

std::string PgConnection::Describe() const {
  std::string host = PQhost(conn_) ? PQhost(conn_) : "";
  return std::string(PQuser(conn_)) + "@" + host + ":" + PQport(conn_) + "/" + PQdb(conn_);
}

int PgConnection::BackendPid() const { return PQbackendPID(conn_); }

}  // namespace tandem::backend::postgres
