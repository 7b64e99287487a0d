// SQLite: one schema per file, the SQLite planner, a backfill of short
// write transactions that keeps no checkpoints (it resumes at the first
// row without a marker; its progress is kept aside for status), and a
// verifier without sampling or repair.
#include "backfill/sqlite/backfill.h"
#include "backfill/sqlite/table_copy.h"
#include "common/strings.h"
#include "core/engine.h"
#include "core/sqlite_progress.h"
#include "plan/sqlite/sqlite_planner.h"
#include "readers/sqlite/readers.h"
#include "verify/sqlite/verifier.h"

namespace tandem::core {
namespace {

// Computing `up` happens outside the write lock on SQLite (backfill/sqlite/up_prefetch.h),
// so short chunks cost no throughput and bound how long a writer waits.
constexpr Millis kSqliteChunkTime{10};

class SqliteEngine : public Engine {
 public:
  const char* name() const override { return "SQLite"; }

  EngineCapabilities capabilities() const override { return {}; }

  // A SQLite file is one schema, "main"; --schema names nothing there.
  std::string MigratedSchema(const std::string&) const override { return "main"; }

  std::unique_ptr<StateSql> MakeStateSql(std::string state_schema) const override {
    return MakeSqliteStateSql(std::move(state_schema));
  }

  Result<std::vector<readers::Reader>> FindReaders(backend::Connection& conn,
                                                   const plan::Plan& plan) const override {
    return readers::sqlite::FindReaders(conn, plan);
  }

  Result<plan::Plan> Plan(const plan::Migration& migration, const plan::Catalog& catalog,
                          const plan::PlanOptions& options) const override {
    return plan::sqlite::PlanSqliteMigration(migration, catalog, options);
  }

  Millis DefaultChunkTime() const override { return kSqliteChunkTime; }

  Result<std::optional<StallEstimate>> MeasureStall(backend::Database& database,
                                                    backend::Connection& conn,
                                                    const plan::Plan& plan) const override {
    return MeasureSqliteStall(database, conn, plan, kSqliteChunkTime);
  }

  // SQLite has no replicas and no server sessions: the throttles that
  // measure them are refused, and replica lag (on by default) is off.
  Status FitThrottle(const plan::ThrottleSettings& flags, const plan::ThrottleSettings& file,
                     backfill::ThrottleConfig& config) const override {
    std::vector<std::string> given;
    if (flags.max_replica_lag || file.max_replica_lag) given.push_back("max_replica_lag");
    if (!config.replicas.empty()) given.push_back("replica");
    if (config.max_active_sessions) given.push_back("max_active_sessions");
    if (config.max_lock_waiters) given.push_back("max_lock_waiters");
    if (!config.throttle_query.empty()) given.push_back("throttle_query");
    if (!given.empty()) {
      return Status::InvalidInput(
          "these backfill throttles measure a PostgreSQL server, and SQLite has no replicas or "
          "server sessions: " +
          Join(given, ", ") +
          ". Remove them (flag or `backfill:` key); on SQLite --max-rows-per-second, --window "
          "and --backfill-max-runtime apply");
    }
    config.max_replica_lag = Millis(0);
    return Status::Ok();
  }

  // The backfill keeps no checkpoints: its progress is kept aside, at most
  // once a second, for status and the command center (core/sqlite_progress.h).
  Result<backfill::Progress> BackfillTable(const BackfillJob& job) const override {
    SqliteProgressLog log(job.connect, job.checkpoints);
    backfill::Progress last;
    last.table = job.sync.table;
    backfill::ProgressCallback report = [&](const backfill::Progress& p) {
      last = p;
      if (job.report) job.report(p);
      log.Report(p);
    };
    Result<backfill::Progress> done =
        backfill::BackfillSqliteTable(job.conn, job.connect, job.sync, job.options, report);
    if (done.ok()) {
      log.Finish(*done, "done");
    } else {
      log.Finish(last, done.status().kind() == ErrorKind::kInterrupted ? "stopped" : "failed");
    }
    return done;
  }

  Result<std::vector<backfill::Progress>> ReadProgress(
      backend::Connection& conn, const backfill::CheckpointStore& where) const override {
    return ReadSqliteProgress(conn, where);
  }

  Result<verify::Pass> Verify(backend::Connection& conn, const backfill::Connector& connect,
                              const plan::Plan& plan,
                              const std::vector<plan::Invariant>& invariants,
                              const verify::Options& options) const override {
    return verify::VerifySqlite(conn, connect, plan, invariants, options);
  }

  // The online table rebuild's copy and drain (backfill/sqlite/table_copy.h).
  Result<backfill::Progress> RunChunkedStep(const ChunkedStepJob& job) const override {
    if (!job.step.copy) {
      return Status::Internal("chunked step \"" + job.step.description + "\" names no table");
    }
    if (job.step.kind == plan::StepKind::kDrainTable) {
      return backfill::DrainSqliteTable(job.conn, job.step.copy->source, job.options, job.report);
    }
    return backfill::CopySqliteTable(job.conn, *job.step.copy, job.options, job.report);
  }

  // SQLite keeps no statistics of errors, waits or statement times: its
  // window watches the user's probes.
  std::unique_ptr<observe::EngineSignals> MakeSignals(observe::Connector,
                                                      const plan::Plan&) const override {
    return nullptr;
  }

  std::string ProbeSessionSetup() const override { return "PRAGMA query_only = 1"; }

  Result<long long> Repair(backend::Connection&, const plan::Plan&) const override {
    return Status::Refused("verify --repair is not available on SQLite yet");
  }

  Result<Scratch> MakeScratch(const ScratchRequest& request) const override {
    return MakeSqliteScratch(request);
  }

  Status RemoveScratch(backend::Connection&, Scratch& scratch) const override {
    return RemoveSqliteScratch(scratch);
  }
};

}  // namespace

std::unique_ptr<Engine> MakeSqliteEngine() { return std::make_unique<SqliteEngine>(); }

}  // namespace tandem::core
