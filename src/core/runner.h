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
#include "core/alerts.h"
#include "core/dry_run.h"
#include "core/engine.h"
#include "core/event_hooks.h"
#include "core/event_totals.h"
#include "core/governance_store.h"
#include "core/rehearsal.h"
#include "core/report.h"
#include "core/reporter.h"
#include "core/run_deadline.h"
#include "core/runner_options.h"
#include "core/state_store.h"
#include "gates/types.h"
#include "observe/evidence.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "readers/types.h"
#include "throttle/throttle.h"
#include "verify/types.h"

namespace tandem::core {

struct StartOptions {
  bool complete = false;
  bool skip_backfill = false;
  std::string approval;  // `--approval TOKEN` (tandem approve)
};

struct CompleteOptions {
  // Complete even though verification failed or hidden readers were found;
  // `reason` is recorded with who.
  bool force = false;
  std::string reason;
  // The application's code to search for the old names too (readers/code_scan.h).
  std::string scan_dir;
  std::string approval;
};

struct SwitchOptions {
  // Point the live schema at the old version again (`switch --back`).
  bool back = false;
  std::string approval;
  // Watch the signals this long after the switch (`--observe`); else the
  // file's `switch: {observe: ...}` (or its ramp's length), else no window.
  std::optional<Millis> observe;
  // On a breach, stay on the new version instead of flipping back.
  bool no_auto_back = false;
};

// `tandem gates`: the gates of the migration in progress and its scorecard.
struct GatesView {
  std::string migration;
  std::vector<gates::Gate> gates;
  std::vector<gates::ScorecardRow> scorecard;
};

struct RehearseOptions {
  std::optional<long long> rows;  // per table copied (--rows N); all when unset
  std::string by;                 // who rehearsed (recorded)
  // Tests: stop with an error right after this phase ("expand", "backfill",
  // "verify", "switch", "switch back"), to see the copy removed.
  std::string fail_after;
};

struct SignoffOptions {
  std::string category;  // gates::kCategories
  std::string by;
  std::string note;
  // The file to sign before it is started (a policy's `signoffs: {start:
  // ...}`); null: the migration in progress.
  const plan::Migration* migration = nullptr;
};

// What `rollback` does in the migration's phase (rollback --dry-run).
struct RollbackChoice {
  enum class Action { kFlipBack, kUndoExpand, kResumeRollback } action;
  std::string says;               // the action in a sentence
  std::vector<plan::Step> steps;  // what it runs
  // The same step in the newest rehearsal of the migration's file, timed
  // there and extrapolated to the real tables (`tandem rehearse`); unset
  // when none is recorded.
  std::optional<PhaseTiming> rehearsed;
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
  // The newest observation window since the newest switch, if any:
  // "running", "clean", "breached", or "stopped" (its runner ended without a
  // result), with its signals against their thresholds.
  std::string window_state;
  std::optional<observe::WindowView> window;
  std::optional<double> window_left_s;  // while running
  // The file's alert thresholds (`alerts:`) and whether each fires, from
  // the newest alert events (core/alerts.h).
  std::vector<AlertState> alerts;
  // Throttle time, DDL retries and failed hooks over the active
  // migration's log (core/event_totals.h).
  EventTotals totals;
};

class BackfillControl;

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
  // The fastest safe step back for the phase (RollbackChoice), said and
  // recorded; kRefused after complete: the old version is gone.
  Status Rollback();
  // What Rollback() would do now; changes nothing.
  Result<RollbackChoice> PreviewRollback();
  // Whether a clean observation window is recorded after the newest switch
  // to the new version (observe/evidence.h); complete requires one once the
  // migration was switched or its file has a `switch:` section.
  Result<bool> CleanWindowRecorded(const MigrationRecord& record);
  // The hidden readers of the migration in progress: objects of the
  // database that still use what its complete drops or renames, and with
  // `scan_dir` the lines of code under it that still name them. Only reads.
  Result<std::vector<readers::Reader>> Readers(const std::string& scan_dir = "");
  // Applies every pending migration of `files` (in the given order);
  // completes all but the last, and the last too when `complete_last`.
  Status Migrate(const std::vector<plan::Migration>& migrations, bool complete_last);
  Result<StatusReport> GetStatus();
  Result<std::vector<MigrationRecord>> History();
  // The gates and scorecard of the migration in progress (runner_gates.cc).
  Result<GatesView> Gates();
  // Records a sign-off of a scorecard category for the migration in
  // progress, with the evidence it saw; stale once what its plan runs or
  // its file's settings change (plan::BoundChecksum).
  Status Signoff(const SignoffOptions& options);
  // Records an approval of `migration`'s plan and settings
  // (plan::BoundChecksum) on this
  // database and returns its token, which start, switch and complete take
  // as --approval.
  Result<std::string> Approve(const plan::Migration& migration, const std::string& by);
  // The record of the newest migration named `name` (the newest of all
  // when empty), for its report; only reads (runner_report.cc).
  Result<MigrationArchive> Archive(const std::string& name);
  // Runs start, backfill, verify, switch, switch back and rollback of
  // `migration` on a scratch copy, times each, removes the copy (also on
  // failure) and records the result as reversibility evidence
  // (runner_rehearse.cc). A failed rehearsal is recorded and returned as
  // the error that stopped it.
  Result<Rehearsal> Rehearse(const plan::Migration& migration, const RehearseOptions& options);
  // The runbook of `migration` (core/runbook.h), planned against the live
  // schema, quoting its newest rehearsal; `file` as the commands name it.
  // Only reads.
  Result<std::string> Runbook(const plan::Migration& migration, const std::string& file);
  // Adds a note to the newest migration's record (for its report).
  Status Note(const std::string& text, const std::string& by);
  // Pauses or resumes the backfill of the migration in progress, from any
  // process; the backfill waits between chunks while paused.
  Status SetPaused(bool paused);
  // Changes the throttle of the backfill running now, from any process,
  // as SetPaused does: recorded in the log, applied by the backfill within
  // a second (runner_control.cc, core/throttle_change.h). kRefused when no
  // migration is in progress or its backfill has finished.
  Status ChangeThrottle(const backfill::ThrottleChange& change);

  // For `tandem serve`: a watch of the alert thresholds of the migration
  // in progress (core/alerts.h), recording through this runner; null when
  // none is in progress, it sets none, or the engine measures nothing.
  Result<std::unique_ptr<AlertWatch>> WatchAlerts();

  // The control API's bearer token (runner_control.cc). NewControlToken
  // makes a random one, stores only its SHA-256 and returns it: the caller
  // shows it once. The previous token stops working.
  Result<std::string> NewControlToken();
  // NewControlToken where tandem keeps records and no token was made yet;
  // "" otherwise (where tandem never ran it creates nothing).
  Result<std::string> EnsureControlToken();
  // Whether `token` is the one made last (compared by hash, in constant time).
  Result<bool> ControlTokenMatches(const std::string& token);
  // Up to `limit` events of the schema's migrations after event `after_id`,
  // oldest first; none where tandem never ran.
  Result<std::vector<SchemaEvent>> EventsAfter(long long after_id, int limit);
  // --dry-run (runner_dry_run.cc): what start, backfill, switch, complete
  // and migrate would run now. Only reads, on a read-only session: takes no
  // lock and creates nothing, not even tandem's state tables.
  Result<DryRun> DryRunStart(const plan::Migration& migration, const StartOptions& options);
  Result<DryRun> DryRunBackfill();
  Result<DryRun> DryRunSwitch(const SwitchOptions& options);
  Result<DryRun> DryRunComplete();
  Result<std::vector<DryRun>> DryRunMigrate(const std::vector<plan::Migration>& migrations,
                                            bool complete_last);

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
  // `plan`'s figure for the stall of an online rebuild, measured (sqlite_stall.h).
  void MeasureStall(plan::Plan& plan);
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
  // RequireActive on a read-only session, creating no state tables.
  Result<MigrationRecord> ReadActive(const std::string& command);
  // The stages of complete from where `record` stands, with its gates as notes.
  Status DryRunCompleteOf(const MigrationRecord& record, const plan::Plan& plan, DryRun* run);
  Status RunSteps(MigrationRecord& record, const std::string& phase,
                  const std::vector<plan::Step>& steps, const std::string& schema);
  Status RunBackfill(MigrationRecord& record, const plan::Plan& plan);
  // Runs steps[i] with the lock timeout and retries, recording it.
  Status RunStep(const MigrationRecord& record, const std::string& phase,
                 const std::vector<plan::Step>& steps, int i, const std::string& schema);
  // The backfill's options for `record` (flags over its file), asking the
  // returned control, which must outlive them, before each chunk.
  Result<std::unique_ptr<BackfillControl>> ControlledOptions(const MigrationRecord& record,
                                                             backfill::Options& options);
  // The watch of the thresholds of `settings`' `alerts:` (core/alerts.h),
  // recording in `record`'s log under `phase`; null when none is set or
  // the engine has nothing to measure (runner_alerts.cc). A throttle of its
  // own measures the replica lag, so it is measured also while the
  // backfill is held by something else.
  Result<std::unique_ptr<AlertWatch>> MakeAlertWatch(const MigrationRecord& record,
                                                     const plan::Settings& settings,
                                                     const std::string& phase);
  // A step the engine runs in chunks, paced and controlled like the backfill.
  static bool IsChunked(const plan::Step& step);
  Result<backend::StepOutcome> RunChunkedStep(const MigrationRecord& record,
                                              const plan::Step& step);
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
  // After a flip back, the ramp's flag (the file's `switch: {ramp: ...}`)
  // goes to 0%, so no subject is still sent to the new version.
  Status ResetRamp(const MigrationRecord& record);
  // runner_observe.cc: the window `options` and the file ask for, with its
  // baseline captured (before the switch); null when none is asked for.
  Result<std::unique_ptr<observe::Window>> PrepareWindow(const MigrationRecord& record,
                                                         const plan::Plan& plan,
                                                         const SwitchOptions& options);
  // Runs the window after the switch and records its evidence; on a breach
  // flips back (unless options.no_auto_back) and returns kRefused.
  Status Observe(MigrationRecord& record, const plan::Plan& plan, observe::Window& window,
                 const SwitchOptions& options);
  // complete's gate on the window: kRefused unless a clean one is recorded
  // (or forced), where the migration was switched or its file asks for one.
  // Whether complete needs a clean window: the migration was switched
  // (`switched` says so) or its file has a `switch:` section.
  Result<bool> WindowRequired(const MigrationRecord& record, bool* switched);
  Status GateOnWindow(const MigrationRecord& record, const CompleteOptions& options);
  // The newest window of `record` for status.
  Status ReadWindow(const MigrationRecord& record, StatusReport& report);
  // The alerts and the event log's totals of `record` for status.
  Status ReadEventTotals(const MigrationRecord& record, StatusReport& report);
  Result<RollbackChoice> ChooseRollback(const MigrationRecord& record, const plan::Plan& plan);
  // Before an undo of the expand: pause the backfill and record where
  // parity stood (rows done per table, the last verification).
  Status PauseAndSnapshot(const MigrationRecord& record);
  // kRefused naming what complete dropped, when the last migration is
  // completed and none is in progress.
  Status RefuseRollbackAfterComplete();
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
  // which verify's scans obey too. `lag_only` keeps only its replica lag
  // limits and replicas (the alerts' measurement of the lag).
  Result<std::unique_ptr<backfill::Throttle>> MakeThrottle(const plan::Settings& settings,
                                                           bool lag_only = false);
  Result<verify::Pass> VerifyPass(const MigrationRecord& record, const plan::Plan& plan,
                                  verify::Options options);
  Status Record(long long id, const Event& event);
  // state_'s observer: offers `event` to the hooks, then records the hook
  // calls that failed meanwhile.
  void OfferToHooks(long long id, const Event& event);
  // Its file's hooks section, for EventHooks.
  Result<EventHooks::Migration> HookedMigration(long long id);
  // The phases of a rehearsal on `scratch`, timed into `result`.
  Status RehearsePhases(Scratch& scratch, const plan::Migration& migration,
                        const RehearseOptions& options, Rehearsal& result);
  // ---- gates (runner_gates.cc) ----
  GovernanceStore Governance();
  Result<std::vector<gates::SignoffRecord>> Signoffs(const MigrationRecord& record);
  // The evidence of `record`'s gates; the reader audit only when asked.
  Result<gates::Evidence> GatherEvidence(const MigrationRecord& record, const plan::Plan& plan,
                                         bool find_readers);
  // kRefused naming each unmet condition of `transition`'s gate beyond
  // those its command checks itself; the decision is recorded.
  Status EnforceGate(const MigrationRecord& record, const plan::Plan& plan,
                     gates::Transition transition);
  // kRefused, naming the next allowed time, while the file's schedule
  // forbids high-risk steps; `what` names the step.
  Status CheckSchedule(const plan::Settings& settings, const std::string& what);
  // What an approval is bound to: the checksum of what the plan runs and
  // the file's settings (plan::BoundChecksum); the file's, which approvals of earlier versions
  // were bound to, is accepted too (the same file plans the same).
  struct ApprovalSubject {
    std::string plan_checksum;
    std::string file_checksum;
  };
  // kRefused when `token` does not approve this plan of migration `name` on
  // this database, or is missing where the settings require one.
  Status CheckApproval(const plan::Settings& settings, const std::string& name,
                       const ApprovalSubject& subject, const std::string& token,
                       const std::string& command);
  // start's approval, and its schedule when it backfills a large table.
  Status GovernStart(const plan::Migration& migration, const std::string& approval);
  // kRefused naming each sign-off the file's policy asks for before start
  // (`signoffs: {start: [...]}`) that is missing or was given for another
  // plan (`plan_checksum`).
  Status EnforceStartSignoffs(const plan::Migration& migration, const plan::Settings& settings,
                              const std::string& plan_checksum);
  // The sign-offs of migration `name`, stale unless bound to `plan_checksum`
  // (or, recorded by earlier versions, to `file_checksum`).
  Result<std::vector<gates::SignoffRecord>> SignoffsFor(const std::string& name,
                                                        const std::string& plan_checksum,
                                                        const std::string& file_checksum);
  // Signoff of a file not started yet: bound to the plan it gives now.
  Status SignoffFile(const SignoffOptions& options);
  // Approval, schedule and the gate of `transition`, for `command`.
  Status Govern(const MigrationRecord& record, const plan::Plan& plan, const std::string& command,
                const std::string& approval, std::optional<gates::Transition> transition);
  // The expand -> backfill gate's probes: both versions read every table,
  // a write in a rolled-back transaction, the file's compatibility checks.
  Status ProbeCompatibility(const MigrationRecord& record, const plan::Plan& plan,
                            const plan::Settings& settings);
  // ---- the whole migration's time limit (runner_deadline.cc) ----
  // --max-runtime over the settings' run.max_runtime, from `record`'s start.
  Result<std::optional<RunDeadline>> Deadline(const MigrationRecord& record);
  // When `failed` ended `what` because the deadline passed: records why (an
  // event of kind max_runtime) and returns deadline.Stop naming `resume`;
  // else `failed` as it was.
  Status StopAtDeadline(const MigrationRecord& record, const std::optional<RunDeadline>& deadline,
                        Status failed, const std::string& what, const std::string& resume);
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
  // Told of every event state_ records (core/event_hooks.h).
  EventHooks hooks_;
  long long last_event_migration_ = 0;  // where failures found at the end are recorded
};

}  // namespace tandem::core
