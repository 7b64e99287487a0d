// PostgreSQL: the planner of src/plan, the parallel keyset backfill with
// checkpoints in the state schema, and the chunked verifier.
#include "backfill/postgres/backfill.h"
#include "core/engine.h"
#include "plan/planner.h"
#include "readers/postgres/readers.h"
#include "readers/postgres/statement_readers.h"
#include "verify/postgres/verifier.h"

namespace tandem::core {
namespace {

constexpr Millis kPostgresChunkTime{200};

class PostgresEngine : public Engine {
 public:
  const char* name() const override { return "PostgreSQL"; }

  EngineCapabilities capabilities() const override {
    return {.verify_sampling = true, .verify_repair = true, .live_schema = true};
  }

  std::string MigratedSchema(const std::string& requested) const override { return requested; }

  std::unique_ptr<StateSql> MakeStateSql(std::string state_schema) const override {
    return MakePostgresStateSql(std::move(state_schema));
  }

  Result<std::vector<readers::Reader>> FindReaders(backend::Connection& conn,
                                                   const plan::Plan& plan) const override {
    return readers::postgres::FindReaders(conn, plan);
  }

  Result<std::optional<std::string>> StatementCounts(backend::Connection& conn) const override {
    return readers::postgres::StatementCounts(conn);
  }

  Result<readers::StatementAudit> StatementReaders(backend::Connection& conn,
                                                   const plan::Plan& plan,
                                                   const std::string& counts,
                                                   const std::string& window) const override {
    return readers::postgres::StatementReaders(conn, plan, counts, window);
  }

  Result<plan::Plan> Plan(const plan::Migration& migration, const plan::Catalog& catalog,
                          const plan::PlanOptions& options) const override {
    return plan::PlanMigration(migration, catalog, options);
  }

  Millis DefaultChunkTime() const override { return kPostgresChunkTime; }

  Status FitThrottle(const plan::ThrottleSettings&, const plan::ThrottleSettings&,
                     backfill::ThrottleConfig&) const override {
    return Status::Ok();  // every throttle measures a PostgreSQL server
  }

  Result<backfill::Progress> BackfillTable(const BackfillJob& job) const override {
    return backfill::BackfillTable(job.connect, job.schema, job.sync, job.checkpoints, job.options,
                                   job.report);
  }

  Result<std::vector<backfill::Progress>> ReadProgress(
      backend::Connection& conn, const backfill::CheckpointStore& checkpoints) const override {
    return backfill::ReadProgress(conn, checkpoints);
  }

  Result<verify::Pass> Verify(backend::Connection& conn, const backfill::Connector& connect,
                              const plan::Plan& plan,
                              const std::vector<plan::Invariant>& invariants,
                              const verify::Options& options) const override {
    return verify::Verify(conn, connect, plan, invariants, options);
  }

  Result<long long> Repair(backend::Connection& conn, const plan::Plan& plan) const override {
    return verify::Repair(conn, plan);
  }
};

}  // namespace

std::unique_ptr<Engine> MakePostgresEngine() { return std::make_unique<PostgresEngine>(); }

}  // namespace tandem::core
