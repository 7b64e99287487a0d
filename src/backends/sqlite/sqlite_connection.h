// One SQLite database handle behind the backend::Connection interface.
//
// Owns its sqlite3 handle (closed on destruction). Every handle that may
// write runs in WAL mode with a busy timeout, so readers never block writers and a writer waits
// (up to the timeout) for another writer's short transaction instead of
// failing at once. Errors become Status values through MapSqliteError(), the
// single place that reads SQLite's extended result codes.
#pragma once

#include <memory>
#include <string>

#include "backends/backend.h"

struct sqlite3;  // without including sqlite3.h in a header
struct sqlite3_stmt;

namespace tandem::backend::sqlite {

// How a handle is opened.
struct OpenOptions {
  Millis busy_timeout{5000};
  bool create = false;  // create the file when missing (tests, the demo)
  // Neither switches the file to WAL (a setting stored in the file) nor
  // lets a statement write: for commands that only read.
  bool read_only = false;
  // tandem's faster trim/ltrim/rtrim (trim_functions.h); off for a stand-in
  // of the application, which runs SQLite's own.
  bool faster_trim = true;
};

class SqliteConnection : public Connection {
 public:
  // Opens `path` (a file name or a file: URI) and checks that it is a SQLite
  // database tandem can write. kConnection when it cannot be opened,
  // kInvalidInput when it is not a SQLite database, kRefused when read-only.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        const OpenOptions& options);
  ~SqliteConnection() override;

  Status Execute(const std::string& sql) override;
  // `$1..$n` bind as named parameters, so the PostgreSQL convention holds.
  Result<QueryResult> Query(const std::string& sql, const std::vector<Value>& params) override;
  Result<std::vector<TypedRow>> QueryTyped(const std::string& sql,
                                           const std::vector<Value>& params) override;
  // Keeps the last statement prepared: a caller applies rows in many small
  // calls of the same statement.
  Result<long long> ExecuteForEachRow(const std::string& sql, const std::vector<TypedRow>& rows,
                                      size_t first, size_t count) override;
  bool Healthy() const override { return db_ != nullptr; }
  // A file has no session to lose: nothing to do while it is open.
  Status Reconnect() override;
  std::string Describe() const override { return "sqlite:" + path_; }
  const std::string& path() const { return path_; }
  // Copies the whole database into a new file at `path` with SQLite's
  // online backup, a batch of pages at a time, so writers wait at most for
  // one batch; a write between batches restarts the copy (SQLite's rule).
  Status BackupTo(const std::string& path);

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Error(int code, const std::string& what) const;
  sqlite3* db_;
  std::string path_;
  // ExecuteForEachRow's statement, finalized on destruction or when another
  // statement replaces it.
  std::string each_sql_;
  sqlite3_stmt* each_statement_ = nullptr;
};

// Maps an extended result code and message to a Status: SQLITE_BUSY and
// SQLITE_LOCKED are retryable lock waits, I/O and corruption are connection
// failures, SQLITE_NOTADB is invalid input, SQLITE_READONLY is refused.
Status MapSqliteError(int extended_code, const std::string& message);

// The linked SQLite library's version, e.g. 3040001 for 3.40.1.
int SqliteVersionNumber();

}  // namespace tandem::backend::sqlite
