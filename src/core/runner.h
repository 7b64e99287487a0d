// The lifecycle of a migration, one command at a time:
//
//   start    = expand (additive DDL, triggers, version schema) + backfill
//   switch   = point the live schema at the new version, dual-write on
//   complete = validate, contract switch, cleanup
//   rollback = undo everything start did (switched: flip back first)
//
// Each mutating command holds the runner lock (one runner per schema) on a
// dedicated connection for its whole duration, records every step in the
// state store, and leaves the database either as it was or in a recorded,
// resumable phase.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "core/engine.h"
#include "core/reporter.h"
#include "core/runner_options.h"
#include "core/state_store.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "readers/types.h"
#include "throttle/throttle.h"
#include "verify/types.h"

namespace tandem::core {

struct StartOptions {
  bool complete = false;
  bool skip_backfill = false;
};

struct CompleteOptions {
  // Complete even though verification failed or hidden readers were found;
  // `reason` is recorded with who.
  bool force = false;
  std::string reason;
  // The application's code to search for the old names too (readers/code_scan.h).
  std::string scan_dir;
};

struct SwitchOptions {
  // Point the live schema at the old version again (`switch --back`).
  bool back = false;
};

struct VerifyOptions {
  verify::Options scan;
  bool repair = false;  // re-sync mismatching rows, then verify again
};

// What `status` shows.
struct StatusReport {
  std::optional<MigrationRecord> active;
  std::optional<MigrationRecord> last_completed;
  std::string version_schema;  // the schema the newest version reads through
  std::optional<VerifyRun> last_verify;
  // The newest throttle event of the active migration's backfill.
  std::optional<RecordedEvent> last_throttle;
  // Per table of the active migration, from the backfill's checkpoints.
  std::vector<backfill::Progress> backfill;
  // Where the database contradicts the newest migration's records, each
  // with the step that clears it (state_check.h).
  std::vector<std::string> contradictions;
  // Per table of the active migration, where the new version does not
  // reach it by the version schema (SQLite): what it uses.
  std::vector<std::pair<std::string, std::string>> new_version_access;
  // The live schema of the newest migration and what it shows: the schema
  // it reads (`live_source`) and which version that is ("old", "new" or,
  // after complete, "final"). Empty where the engine keeps none (SQLite).
  std::string live_schema;
  std::string live_source;
  std::string live_version;
};

class Runner {
 public:
  Runner(backend::Database& database, RunnerOptions options, Reporter& reporter);
  ~Runner();

  // Creates tandem's state schema. Idempotent.
  Status Init();
  // Plans `migration` against the live schema; changes nothing.
  Result<plan::Plan> Plan(const plan::Migration& migration);
  Status Start(const plan::Migration& migration, const StartOptions& options);
  Status Backfill();
  // The read switch (runner_switch.cc): points the live schema at the new
  // version (or back at the old one) in one step, dual-write staying on.
  // Refused until the backfill has finished and a passing full
  // verification is recorded.
  Status Switch(const SwitchOptions& options);
  Status Complete(const CompleteOptions& options = {});
  // One verification pass of the migration in progress, stored in the state
  // store. With repair, mismatching rows are re-synced and verified again.
  Result<verify::Pass> Verify(const VerifyOptions& options);
  Status Rollback();
  // The hidden readers of the migration in progress: objects of the
  // database that still use what its complete drops or renames, and with
  // `scan_dir` the lines of code under it that still name them. Only reads.
  Result<std::vector<readers::Reader>> Readers(const std::string& scan_dir = "");
  // Applies every pending migration of `files` (in the given order);
  // completes all but the last, and the last too when `complete_last`.
  Status Migrate(const std::vector<plan::Migration>& migrations, bool complete_last);
  Result<StatusReport> GetStatus();
  Result<std::vector<MigrationRecord>> History();
  // Pauses or resumes the backfill of the migration in progress, from any
  // process; the backfill waits between chunks while paused.
  Status SetPaused(bool paused);

 private:
  // How each phase moves a migration: the phase it runs in, the phase it
  // ends in, and the command that resumes it after an interruption.
  struct PhaseSpec {
    const char* name;
    Phase running;
    Phase done;
    const char* resume_hint;
  };
  static const PhaseSpec kExpand;
  static const PhaseSpec kContract;
  static const PhaseSpec kRollback;

  // What `start` does given the state store: begin anew, resume an
  // interrupted expand, or nothing (already completed / already started).
  struct StartDecision {
    enum Action { kNew, kResume, kAlreadyStarted, kNothingToDo } action;
    MigrationRecord record;
  };

  Status Connect();
  // Connects; false when tandem has no records in this database yet (for
  // commands that only look, which then create none).
  Result<bool> OpenRecords();
  // For `plan`, which leaves the database as it was; a writing connection
  // takes its place when the runner goes on to write.
  Status ConnectToRead();
  Status Open(bool to_read);
  Result<StartDecision> DecideStart(const plan::Migration& migration);
  Result<MigrationRecord> RecordNewMigration(const plan::Migration& migration);
  // Plan() with the plan's inputs kept, as start stores it.
  Result<plan::Plan> PlanWithInputs(const plan::Migration& migration);
  Result<plan::Plan> Derive(const plan::Migration& migration, const plan::PlanInputs& inputs) const;
  // The stored plan of `record`, derived again from its stored file and
  // inputs and compared: kRefused, naming the first difference, when the
  // state store was edited.
  Result<plan::Plan> StoredPlan(const MigrationRecord& record);
  // Runs `steps` as one phase of `record`, recording it in the state store.
  Status RunPhase(MigrationRecord& record, const PhaseSpec& spec,
                  const std::vector<plan::Step>& steps, const std::string& schema);
  Status AcquireRunnerLock();
  Result<std::optional<MigrationRecord>> LastCompleted();
  // Contradictions(...) for `newest`, the active or else the last completed
  // migration of the schema.
  Result<std::vector<std::string>> StateContradictions(
      const std::optional<MigrationRecord>& newest);
  // kRefused when the database contradicts the newest migration's records.
  Status RefuseContradictions();
  // A restart of the server ends every session, the state store's and the
  // one holding the runner lock among them. Opens both again and takes the
  // runner lock back; kBusy when another runner took it meanwhile.
  Status KeepSessions();
  // Plans every user expression of `plan` against the live schema.
  Status CheckExpressions(const plan::Plan& plan);
  Result<MigrationRecord> RequireActive(const std::string& command);
  Status RunSteps(MigrationRecord& record, const std::string& phase,
                  const std::vector<plan::Step>& steps, const std::string& schema);
  Status RunBackfill(MigrationRecord& record, const plan::Plan& plan);
  // Runs steps[i] with the lock timeout and retries, recording it.
  Status RunStep(const MigrationRecord& record, const std::string& phase,
                 const std::vector<plan::Step>& steps, int i, const std::string& schema);
  // The rollback steps that undo expand steps `record` ran: a start that
  // stopped part-way never made the other objects, and objects of those
  // names may be another migration's.
  Result<std::vector<plan::Step>> OwnRollbackSteps(const MigrationRecord& record,
                                                   const plan::Plan& plan);
  Status CompleteRecord(MigrationRecord record, const CompleteOptions& options = {});
  // kRefused, saying what `command` would do without the data, while rows
  // still wait for the backfill.
  static Status RefuseUnfinishedBackfill(const MigrationRecord& record, const plan::Plan& plan,
                                         const std::string& consequence);
  // Whether the newest verification is full, passing and after the backfill.
  Result<bool> PassingVerificationRecorded(const MigrationRecord& record);
  // Runs `steps` (the switch or the switch back) and moves `record` to `to`;
  // the steps repoint the live schema idempotently, so running them again
  // after an interruption is safe.
  Status PointLive(MigrationRecord& record, const plan::Plan& plan,
                   const std::vector<plan::Step>& steps, Phase to, const std::string& name);
  Status SwitchBack(MigrationRecord& record, const plan::Plan& plan);
  // complete's gate: a full, passing verification after the backfill, run
  // now if there is none.
  Status GateOnVerification(const MigrationRecord& record, const plan::Plan& plan,
                            const CompleteOptions& options);
  // complete's gate on hidden readers: kRefused naming every one, unless
  // forced; runs before anything of complete is written.
  Status GateOnReaders(const MigrationRecord& record, const plan::Plan& plan,
                       const CompleteOptions& options);
  // Keeps the server's statement counters (Engine::StatementCounts) in the
  // event log, opening the observation window the statement audit measures
  // against; `phase` names the window's start (start's expand, switch).
  Status KeepStatementCounts(const MigrationRecord& record, const std::string& phase);
  // The statements the server counted that use what `plan` retires,
  // against the last counters kept for `record`.
  Result<readers::StatementAudit> StatementReaders(const MigrationRecord& record,
                                                   const plan::Plan& plan);
  // A gate of complete passed by --force: noted and recorded with the reason.
  Status RecordForced(const MigrationRecord& record, const CompleteOptions& options,
                      const std::string& past);
  // The backfill's throttle (flags over the file's `backfill:` section),
  // which verify's scans obey too.
  Result<std::unique_ptr<backfill::Throttle>> MakeThrottle(const plan::Settings& settings);
  Result<verify::Pass> VerifyPass(const MigrationRecord& record, const plan::Plan& plan,
                                  verify::Options options);
  Status Record(long long id, const Event& event);
  // Moves `record` to phase `to` in the state store, where the lifecycle
  // allows it (phase.h), and starts its step count anew.
  Status MoveTo(MigrationRecord& record, Phase to);
  std::string LockKey() const;

  backend::Database& database_;
  std::unique_ptr<Engine> engine_;  // database_'s
  RunnerOptions options_;
  Reporter& reporter_;
  std::unique_ptr<backend::Connection> conn_;       // does the work
  bool conn_reads_only_ = false;                    // conn_ came from ConnectToRead()
  std::unique_ptr<backend::Connection> lock_conn_;  // holds the runner lock
  std::unique_ptr<StateStore> state_;
};

}  // namespace tandem::core
