// What the lifecycle needs from a database engine beyond running statements
// (backend::Database does that): its planner, its backfill and
// verification, where its backfill keeps progress, its state tables' SQL,
// and what it cannot do yet. One implementation per engine, chosen once
// from the database by MakeEngine(); the runner has no engine branches.
//
// Engines hold no state: every method may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backfill/types.h"
#include "core/scratch.h"
#include "core/sqlite_stall.h"
#include "core/state_sql.h"
#include "observe/types.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "plan/planner.h"
#include "readers/types.h"
#include "throttle/throttle.h"
#include "verify/types.h"

namespace tandem::core {

// What an engine can do that another cannot.
struct EngineCapabilities {
  bool verify_sampling = false;  // verify --sample
  bool verify_repair = false;    // verify --repair
  // Its planner keeps a live schema that `switch` repoints (plan.h).
  bool live_schema = false;
};

// One table's backfill, as the runner asks for it.
struct BackfillJob {
  backend::Connection& conn;  // the runner's working session
  const backfill::Connector& connect;
  const std::string& schema;
  const plan::TableSync& sync;
  backfill::CheckpointStore checkpoints;
  const backfill::Options& options;
  const backfill::ProgressCallback& report;
};

// A step of a phase that the engine runs as many short transactions
// (plan::StepKind::kCopyRows, kDrainTable), paced like a backfill.
struct ChunkedStepJob {
  backend::Connection& conn;  // the runner's working session
  const plan::Step& step;
  const backfill::Options& options;
  const backfill::ProgressCallback& report;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // The engine's name as people know it, for messages.
  virtual const char* name() const = 0;
  virtual EngineCapabilities capabilities() const = 0;
  // The schema a migration of `requested` (--schema) changes.
  virtual std::string MigratedSchema(const std::string& requested) const = 0;
  // The SQL of tandem's state tables kept in `state_schema`.
  virtual std::unique_ptr<StateSql> MakeStateSql(std::string state_schema) const = 0;

  virtual Result<plan::Plan> Plan(const plan::Migration& migration, const plan::Catalog& catalog,
                                  const plan::PlanOptions& options) const = 0;

  // How long a backfill chunk aims to take unless the user says.
  virtual Millis DefaultChunkTime() const = 0;
  // The longest a writer waits during `plan`'s online rebuilds, measured
  // (SQLite, sqlite_stall.h); nothing where the plan has none.
  virtual Result<std::optional<StallEstimate>> MeasureStall(backend::Database&,
                                                            backend::Connection&,
                                                            const plan::Plan&) const {
    return std::optional<StallEstimate>();
  }
  // kInvalidInput naming the throttles (flags or file) this engine has
  // nothing to measure for; may turn off defaults that do not apply.
  virtual Status FitThrottle(const plan::ThrottleSettings& flags,
                             const plan::ThrottleSettings& file,
                             backfill::ThrottleConfig& config) const = 0;
  virtual Result<backfill::Progress> BackfillTable(const BackfillJob& job) const = 0;
  // The backfill's progress per table as recorded for `status`, from any
  // process; empty where the engine's backfill records none.
  virtual Result<std::vector<backfill::Progress>> ReadProgress(
      backend::Connection& conn, const backfill::CheckpointStore& checkpoints) const = 0;

  // `connect` opens the scans' sessions where the engine scans in parallel.
  virtual Result<verify::Pass> Verify(backend::Connection& conn, const backfill::Connector& connect,
                                      const plan::Plan& plan,
                                      const std::vector<plan::Invariant>& invariants,
                                      const verify::Options& options) const = 0;
  // The objects of the database that still use what `plan`'s complete
  // retires (readers/types.h), sorted; only reads.
  virtual Result<std::vector<readers::Reader>> FindReaders(backend::Connection& conn,
                                                           const plan::Plan& plan) const = 0;
  // The server's counters of the statements it ran, as JSON for the event
  // log, kept when an observation window opens; nullopt where the engine
  // or server keeps none (readers/postgres/statement_readers.h).
  virtual Result<std::optional<std::string>> StatementCounts(backend::Connection&) const {
    return std::optional<std::string>();
  }
  // The statements the server counted that use what `plan`'s complete
  // retires, each blocking when its calls changed since `counts` (kept at
  // the start of the window `window` names); only reads.
  virtual Result<readers::StatementAudit> StatementReaders(backend::Connection&, const plan::Plan&,
                                                           const std::string& /*counts*/,
                                                           const std::string& /*window*/) const {
    return readers::StatementAudit{};
  }

  // kInternal where the engine's planner makes no such steps.
  virtual Result<backfill::Progress> RunChunkedStep(const ChunkedStepJob& job) const = 0;
  // A scratch copy of what `request.plan` changes, for a rehearsal, and
  // its removal (core/scratch.h).
  virtual Result<Scratch> MakeScratch(const ScratchRequest& request) const = 0;
  virtual Status RemoveScratch(backend::Connection& conn, Scratch& scratch) const = 0;
  // The observation window's statistics of this engine for `plan`'s
  // tables, over sessions of `connect`; null where the engine keeps none.
  virtual std::unique_ptr<observe::EngineSignals> MakeSignals(observe::Connector connect,
                                                              const plan::Plan& plan) const = 0;
  // Run first on the session of a user's SQL probe: read-only, bounded.
  virtual std::string ProbeSessionSetup() const = 0;

  // Re-syncs the rows verification found mismatching; the count of rows.
  // Only called where capabilities().verify_repair.
  virtual Result<long long> Repair(backend::Connection& conn, const plan::Plan& plan) const = 0;
};

// The implementation for `engine`.
std::unique_ptr<Engine> MakeEngine(backend::Engine engine);

// Each engine's implementation, for MakeEngine.
std::unique_ptr<Engine> MakePostgresEngine();
std::unique_ptr<Engine> MakeSqliteEngine();

}  // namespace tandem::core
