// PostgreSQL: the planner of src/plan, the parallel keyset backfill with
// checkpoints in the state schema, and the chunked verifier.
#include <algorithm>

#include "backfill/postgres/backfill.h"
#include "core/engine.h"
#include "observe/postgres/pg_signals.h"
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

  std::unique_ptr<observe::EngineSignals> MakeSignals(observe::Connector connect,
                                                      const plan::Plan& plan) const override {
    std::vector<std::string> tables;
    for (const auto& sync : plan.syncs) tables.push_back(sync.table);
    for (const auto& retired : plan.retired) {
      if (std::find(tables.begin(), tables.end(), retired.table) == tables.end()) {
        tables.push_back(retired.table);
      }
    }
    return observe::MakePostgresSignals(std::move(connect), std::move(tables));
  }

  std::string ProbeSessionSetup() const override {
    return "SET statement_timeout = '2s'; SET default_transaction_read_only = on";
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

  Result<backfill::Progress> RunChunkedStep(const ChunkedStepJob& job) const override {
    return Status::Internal("the PostgreSQL planner makes no chunked steps, yet step \"" +
                            job.step.description + "\" is one");
  }

  Result<long long> Repair(backend::Connection& conn, const plan::Plan& plan) const override {
    return verify::Repair(conn, plan);
  }

  Result<Scratch> MakeScratch(const ScratchRequest& request) const override {
    return MakePostgresScratch(request);
  }

  Status RemoveScratch(backend::Connection& conn, Scratch& scratch) const override {
    return RemovePostgresScratch(conn, scratch);
  }
};

}  // namespace

std::unique_ptr<Engine> MakePostgresEngine() { return std::make_unique<PostgresEngine>(); }

}  // namespace tandem::core
