// SQLite behind backend::Database: one database file, its connections,
// catalog, steps run in IMMEDIATE transactions with a busy timeout, and the
// runner lock as a lock file beside the database.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/sqlite/runner_lock_file.h"

namespace tandem::backend::sqlite {

// Where a sqlite: or file: URL points.
struct SqliteTarget {
  std::string open_name;  // what sqlite3_open_v2 gets (a path or a file: URI)
  std::string file;       // the database file on disk, for the lock file
};

// Parses sqlite:PATH, sqlite://PATH, sqlite:///abs/path and file: URIs.
Result<SqliteTarget> ParseSqliteUrl(const std::string& url);

class SqliteDatabase : public Database {
 public:
  explicit SqliteDatabase(SqliteTarget target) : target_(std::move(target)) {}

  Engine engine() const override { return Engine::kSqlite; }
  Result<std::unique_ptr<Connection>> Connect() override;
  Result<std::unique_ptr<Connection>> ConnectToRead() override;
  Result<std::unique_ptr<Connection>> ConnectToScratch() override;
  std::string Describe() const override { return "SQLite " + target_.file; }
  Result<plan::Catalog> LoadCatalog(Connection& conn, const std::string& schema) override;
  Result<StepOutcome> RunStep(Connection& conn, const std::string& schema, const plan::Step& step,
                              const LockPolicy& policy, const RetryObserver& observer,
                              const std::function<Status()>& record) override;
  Result<bool> TryRunnerLock(Connection& conn, const std::string& key) override;
  std::string DescribeRunnerLockHolder(Connection& conn, const std::string& key) override;
  Result<std::vector<MigrationObject>> MigrationObjectsOn(Connection& conn,
                                                          const std::string& schema,
                                                          const std::string& table) override;
  // A SQLite connection is its own session: nothing to check.
  Status CheckSessionState(Connection&) override { return Status::Ok(); }
  Status CheckSeparateSessions(Connection&, Connection&) override { return Status::Ok(); }
  Result<std::unique_ptr<Database>> BackupTo(const std::string& path) override;

 private:
  SqliteTarget target_;
  std::unique_ptr<RunnerLockFile> lock_;
  std::string holder_;  // who held the runner lock when it was last refused
};

}  // namespace tandem::backend::sqlite
