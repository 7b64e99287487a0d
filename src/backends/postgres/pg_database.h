// PostgreSQL behind backend::Database: connections, catalog, lock-safe DDL
// execution and the runner lock.
#pragma once

#include <memory>
#include <string>

#include "backends/backend.h"

namespace tandem::backend::postgres {

class PgDatabase : public Database {
 public:
  explicit PgDatabase(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  Engine engine() const override { return Engine::kPostgres; }
  Result<std::unique_ptr<Connection>> Connect() override;
  std::string Describe() const override;
  Result<plan::Catalog> LoadCatalog(Connection& conn, const std::string& schema) override;
  Result<StepOutcome> RunStep(Connection& conn, const std::string& schema, const plan::Step& step,
                              const LockPolicy& policy, const RetryObserver& observer,
                              const std::function<Status()>& record) override;
  Result<bool> TryRunnerLock(Connection& conn, const std::string& key) override;
  std::string DescribeRunnerLockHolder(Connection& conn, const std::string& key) override;
  Result<std::vector<MigrationObject>> MigrationObjectsOn(Connection& conn,
                                                          const std::string& schema,
                                                          const std::string& table) override;
  Status CheckSessionState(Connection& conn) override;
  Status CheckSeparateSessions(Connection& first, Connection& second) override;

 private:
  std::string conninfo_;
};

// Who holds locks on `tables` (in `schema`), one description per session,
// for messages about a DDL that could not get its lock.
std::vector<std::string> DescribeLockHolders(Connection& conn, const std::string& schema,
                                             const std::vector<std::string>& tables);

}  // namespace tandem::backend::postgres
