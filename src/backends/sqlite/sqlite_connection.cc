#include "backends/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include "backends/sqlite/trim_functions.h"
#include "common/strings.h"

namespace tandem::backend::sqlite {
namespace {

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

std::string CodeText(int code) { return std::to_string(code); }

// Prepares `sql` on `db` and binds `params` as $1..$n text values; a null
// statement for SQL that is only whitespace or a comment.
Result<StatementPtr> Prepare(sqlite3* db, const std::string& sql,
                             const std::vector<Value>& params) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  StatementPtr statement(raw);
  if (rc != SQLITE_OK) return MapSqliteError(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
  if (!statement) return statement;
  for (size_t i = 0; i < params.size(); ++i) {
    std::string name = "$" + std::to_string(i + 1);
    int index = sqlite3_bind_parameter_index(raw, name.c_str());
    if (index == 0) continue;  // the statement does not use this parameter
    const Value& v = params[i];
    rc = v ? sqlite3_bind_text(raw, index, v->data(), static_cast<int>(v->size()), SQLITE_TRANSIENT)
           : sqlite3_bind_null(raw, index);
    if (rc != SQLITE_OK) return MapSqliteError(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
  }
  return statement;
}

TypedValue ColumnValue(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_INTEGER:
      return static_cast<long long>(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT:
      return sqlite3_column_double(statement, column);
    case SQLITE_TEXT:
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, column)),
                         sqlite3_column_bytes(statement, column));
    case SQLITE_BLOB: {
      const void* bytes = sqlite3_column_blob(statement, column);
      int size = sqlite3_column_bytes(statement, column);
      return Blob{bytes ? std::string(static_cast<const char*>(bytes), size) : std::string()};
    }
    default:
      return std::monostate{};
  }
}

int BindValue(sqlite3_stmt* statement, int index, const TypedValue& value) {
  struct Binder {
    sqlite3_stmt* s;
    int i;
    int operator()(std::monostate) const { return sqlite3_bind_null(s, i); }
    int operator()(long long v) const { return sqlite3_bind_int64(s, i, v); }
    int operator()(double v) const { return sqlite3_bind_double(s, i, v); }
    int operator()(const std::string& v) const {
      return sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    }
    int operator()(const Blob& v) const {
      return sqlite3_bind_blob(s, i, v.bytes.data(), static_cast<int>(v.bytes.size()),
                               SQLITE_STATIC);
    }
  };
  return std::visit(Binder{statement, index}, value);
}

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
  // SQLite counts every allocation under one process-wide mutex unless told
  // not to; tandem reads no such counts, and its backfill runs several
  // connections on threads of their own that would otherwise queue on that
  // mutex. (It must be set before SQLite initializes, i.e. before the first
  // open; should anything have initialized SQLite earlier, the setting is
  // refused and the counts simply stay on.)
  static const int initialized = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize();
  }();
  if (initialized != SQLITE_OK) return MapSqliteError(initialized, "SQLite failed to initialize");
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
  // The same results as SQLite's trim functions, faster (trim_functions.h).
  rc = options.faster_trim ? RegisterTrimFunctions(db) : SQLITE_OK;
  if (rc != SQLITE_OK) return MapSqliteError(rc, "cannot register tandem's trim functions");
  // Reading the schema is the first thing that fails on a file that is not
  // a database (SQLITE_NOTADB), so it doubles as the check.
  Status probe = conn->Execute("SELECT count(*) FROM sqlite_schema");
  if (!probe.ok()) return probe.WithContext("cannot read SQLite database \"" + path + "\"");
  // A reader leaves the file in the journal mode the application chose.
  if (options.read_only) {
    TANDEM_RETURN_IF_ERROR(conn->Execute("PRAGMA query_only = ON"));
    return conn;
  }
  // WAL lets the application read while tandem writes, and keeps write
  // transactions short; foreign keys as the application is expected to run.
  TANDEM_RETURN_IF_ERROR(conn->Execute("PRAGMA journal_mode = WAL"));
  TANDEM_RETURN_IF_ERROR(conn->Execute("PRAGMA foreign_keys = ON"));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  sqlite3_finalize(each_statement_);
  sqlite3_close_v2(db_);
}

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
  TANDEM_ASSIGN_OR_RETURN(StatementPtr statement, Prepare(db_, sql, params));
  QueryResult out;
  if (!statement) return out;  // only whitespace or a comment
  sqlite3_stmt* raw = statement.get();
  int columns = sqlite3_column_count(raw);
  for (int c = 0; c < columns; ++c) out.columns.push_back(sqlite3_column_name(raw, c));
  int rc;
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

Result<std::vector<TypedRow>> SqliteConnection::QueryTyped(const std::string& sql,
                                                           const std::vector<Value>& params) {
  TANDEM_ASSIGN_OR_RETURN(StatementPtr statement, Prepare(db_, sql, params));
  std::vector<TypedRow> rows;
  if (!statement) return rows;
  sqlite3_stmt* raw = statement.get();
  int columns = sqlite3_column_count(raw);
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    TypedRow& row = rows.emplace_back();
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) row.push_back(ColumnValue(raw, c));
  }
  if (rc != SQLITE_DONE) return Error(rc, "step");
  return rows;
}

Result<long long> SqliteConnection::ExecuteForEachRow(const std::string& sql,
                                                      const std::vector<TypedRow>& rows,
                                                      size_t first, size_t count) {
  if (each_statement_ == nullptr || each_sql_ != sql) {
    sqlite3_finalize(each_statement_);
    each_statement_ = nullptr;
    each_sql_.clear();
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &each_statement_, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "prepare");
    if (each_statement_ == nullptr) return Status::Internal("no statement to run for each row");
    each_sql_ = sql;
  }
  sqlite3_stmt* raw = each_statement_;
  // The rows' values are bound without a copy (SQLITE_STATIC): they outlive
  // each step, and the bindings are cleared before returning.
  std::vector<int> indexes;
  long long changed = 0;
  Status failed;
  for (size_t r = first; r < first + count && r < rows.size() && failed.ok(); ++r) {
    const TypedRow& row = rows[r];
    for (size_t i = indexes.size(); i < row.size(); ++i) {
      indexes.push_back(sqlite3_bind_parameter_index(raw, ("$" + std::to_string(i + 1)).c_str()));
    }
    for (size_t i = 0; i < row.size() && failed.ok(); ++i) {
      if (indexes[i] == 0) continue;  // the statement does not use this value
      int rc = BindValue(raw, indexes[i], row[i]);
      if (rc != SQLITE_OK) failed = Error(rc, "bind");
    }
    if (!failed.ok()) break;
    int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
      changed += sqlite3_changes64(db_);
    } else {
      failed = Error(rc, "step");
    }
    sqlite3_reset(raw);
  }
  sqlite3_clear_bindings(raw);
  if (!failed.ok()) return failed;
  return changed;
}

Status SqliteConnection::BackupTo(const std::string& path) {
  sqlite3* copy = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    Status error = MapSqliteError(rc, "cannot create the copy " + path);
    sqlite3_close(copy);
    return error;
  }
  sqlite3_backup* backup = sqlite3_backup_init(copy, "main", db_, "main");
  if (backup == nullptr) {
    Status error = MapSqliteError(sqlite3_extended_errcode(copy), sqlite3_errmsg(copy));
    sqlite3_close(copy);
    return error;
  }
  constexpr int kPagesPerStep = 256;
  do {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  Status status =
      rc == SQLITE_DONE
          ? Status::Ok()
          : MapSqliteError(sqlite3_extended_errcode(copy),
                           "copying " + path_ + " to " + path + ": " + sqlite3_errmsg(copy));
  sqlite3_close(copy);
  return status;
}

}  // namespace tandem::backend::sqlite
