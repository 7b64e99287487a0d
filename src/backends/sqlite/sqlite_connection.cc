#include "backends/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include "common/strings.h"

namespace tandem::backend::sqlite {
namespace {

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

std::string CodeText(int code) { return std::to_string(code); }

}  // namespace

Status MapSqliteError(int code, const std::string& message) {
  int primary = code & 0xff;
  std::string native = CodeText(code);
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Error(ErrorKind::kLockTimeout,
                           "the database is locked by another connection (" + message +
                               "); it was busy for longer than the busy timeout",
                           native, /*retryable=*/true);
    case SQLITE_NOTADB:
      return Status::Error(ErrorKind::kInvalidInput,
                           "the file is not a SQLite database (" + message +
                               "); check --url points at the right file",
                           native);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::Error(ErrorKind::kRefused,
                           "the database cannot be written (" + message +
                               "); tandem needs write access to the file and its directory "
                               "(for the -wal and -shm files)",
                           native);
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
      return Status::Error(ErrorKind::kConnection, "SQLite I/O failure: " + message, native);
    case SQLITE_INTERRUPT:
      return Status::Error(ErrorKind::kInterrupted, message, native);
    default:
      return Status::Error(ErrorKind::kDatabase, message, native);
  }
}

int SqliteVersionNumber() { return sqlite3_libversion_number(); }

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 const OpenOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    if ((rc & 0xff) == SQLITE_CANTOPEN) {
      return Status::Error(ErrorKind::kConnection,
                           "cannot open SQLite database \"" + path + "\": " + message +
                               ". Check the path in --url (sqlite:PATH) and that it exists",
                           CodeText(rc));
    }
    return MapSqliteError(rc, message).WithContext("cannot open SQLite database \"" + path + "\"");
  }
  sqlite3_extended_result_codes(db, 1);
  auto conn = std::unique_ptr<SqliteConnection>(new SqliteConnection(db, path));
  if (sqlite3_db_readonly(db, "main") == 1) {
    return Status::Refused("SQLite database \"" + path +
                           "\" is read-only for this user; tandem needs to write it (and to "
                           "create the -wal and -shm files beside it)");
  }
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  // Reading the schema is the first thing that fails on a file that is not
  // a database (SQLITE_NOTADB), so it doubles as the check.
  Status probe = conn->Execute("SELECT count(*) FROM sqlite_schema");
  if (!probe.ok()) return probe.WithContext("cannot read SQLite database \"" + path + "\"");
  // WAL lets the application read while tandem writes, and keeps write
  // transactions short; foreign keys as the application is expected to run.
  TANDEM_RETURN_IF_ERROR(conn->Execute("PRAGMA journal_mode = WAL"));
  TANDEM_RETURN_IF_ERROR(conn->Execute("PRAGMA foreign_keys = ON"));
  return conn;
}

SqliteConnection::~SqliteConnection() { sqlite3_close_v2(db_); }

Status SqliteConnection::Error(int code, const std::string& what) const {
  (void)what;
  return MapSqliteError(sqlite3_extended_errcode(db_) ? sqlite3_extended_errcode(db_) : code,
                        sqlite3_errmsg(db_));
}

Status SqliteConnection::Reconnect() {
  if (db_ != nullptr) return Status::Ok();
  return Status::Error(ErrorKind::kConnection, "the SQLite database " + path_ + " was closed");
}

Status SqliteConnection::Execute(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  return MapSqliteError(sqlite3_extended_errcode(db_), message);
}

Result<QueryResult> SqliteConnection::Query(const std::string& sql,
                                            const std::vector<Value>& params) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  StatementPtr statement(raw);
  if (rc != SQLITE_OK) return Error(rc, "prepare");
  if (!statement) return QueryResult{};  // only whitespace or a comment
  for (size_t i = 0; i < params.size(); ++i) {
    std::string name = "$" + std::to_string(i + 1);
    int index = sqlite3_bind_parameter_index(raw, name.c_str());
    if (index == 0) continue;  // the statement does not use this parameter
    const Value& v = params[i];
    rc = v ? sqlite3_bind_text(raw, index, v->data(), static_cast<int>(v->size()), SQLITE_TRANSIENT)
           : sqlite3_bind_null(raw, index);
    if (rc != SQLITE_OK) return Error(rc, "bind");
  }
  QueryResult out;
  int columns = sqlite3_column_count(raw);
  for (int c = 0; c < columns; ++c) out.columns.push_back(sqlite3_column_name(raw, c));
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    Row row;
    for (int c = 0; c < columns; ++c) {
      const unsigned char* text = sqlite3_column_text(raw, c);
      row.push_back(text ? Value(std::string(reinterpret_cast<const char*>(text),
                                             sqlite3_column_bytes(raw, c)))
                         : Value());
    }
    out.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return Error(rc, "step");
  out.affected = sqlite3_stmt_readonly(raw) ? 0 : sqlite3_changes64(db_);
  return out;
}

}  // namespace tandem::backend::sqlite
