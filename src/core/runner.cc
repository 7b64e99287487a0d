// The lifecycle, top to bottom: start (expand), backfill, verify, complete
// (the switch and the contract), rollback; then how each phase runs its
// steps. Sessions and the runner lock: runner_session.cc; planning:
// runner_plan.cc; status: runner_status.cc.
#include "core/runner.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>

#include "common/log.h"
#include "common/strings.h"
#include "core/backfill_control.h"
#include "core/changed_file.h"
#include "core/run_settings.h"
#include "plan/plan_json.h"
#include "reader/reader.h"
#include "readers/findings.h"
#include "verify/report.h"

namespace tandem::core {
namespace {

using Clock = std::chrono::steady_clock;

std::string OsUser() {
  if (const passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  const char* user = std::getenv("USER");
  return user ? user : "";
}

Millis Since(Clock::time_point start) {
  return std::chrono::duration_cast<Millis>(Clock::now() - start);
}

double DurationMs(Millis duration) { return static_cast<double>(duration.count()); }

// Index of the contract switch within the complete steps: once it ran, the
// old version is gone and rollback is no longer possible.
int SwitchIndex(const plan::Plan& plan) {
  for (size_t i = 0; i < plan.complete.size(); ++i) {
    if (plan.complete[i].kind == plan::StepKind::kSwitch) return static_cast<int>(i);
  }
  return static_cast<int>(plan.complete.size());
}

// kRefused, saying `runs_when`, unless `record` is active.
Status RefuseUnlessActive(const MigrationRecord& record, const std::string& runs_when) {
  if (record.phase == Phase::kActive) return Status::Ok();
  return Status::Refused("migration \"" + record.name + "\" is in phase " +
                         PhaseName(record.phase) + "; " + runs_when);
}

}  // namespace

Runner::Runner(backend::Database& database, RunnerOptions options, Reporter& reporter)
    : database_(database),
      engine_(MakeEngine(database.engine())),
      options_(std::move(options)),
      reporter_(reporter),
      hooks_(options_.hooks, options_.config.hooks,
             [this](long long id) { return HookedMigration(id); }) {
  options_.schema = engine_->MigratedSchema(options_.schema);
}

Runner::~Runner() {
  // The last events' hooks are called before the command ends; failures
  // found only now are recorded too, where the session still works.
  hooks_.Drain();
  std::vector<std::string> failures = hooks_.TakeFailures();
  if (failures.empty() || !state_ || !conn_ || !conn_->Healthy() || conn_reads_only_) return;
  for (const auto& failure : failures) {
    (void)state_->Append(last_event_migration_, {.phase = "hooks",
                                                 .kind = kHookEventKind,
                                                 .description = "a hook call failed",
                                                 .outcome = "failed",
                                                 .detail = failure});
  }
}

void Runner::OfferToHooks(long long id, const Event& event) {
  if (event.kind == kHookEventKind) return;
  last_event_migration_ = id;
  hooks_.Recorded(id, event);
  for (const auto& failure : hooks_.TakeFailures()) {
    (void)state_->Append(id, {.phase = "hooks",
                              .kind = kHookEventKind,
                              .description = "a hook call failed",
                              .outcome = "failed",
                              .detail = failure});
  }
}

Result<EventHooks::Migration> Runner::HookedMigration(long long id) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> record, state_->Find(id));
  if (!record) return Status::Internal("no migration with id " + std::to_string(id));
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(*record));
  return EventHooks::Migration{*record, settings.hooks};
}

Status Runner::Init() {
  TANDEM_RETURN_IF_ERROR(Connect());
  return state_->Init();
}

// ---- start: expand -------------------------------------------------------

Status Runner::Start(const plan::Migration& migration, const StartOptions& options) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_RETURN_IF_ERROR(RefuseContradictions());
  TANDEM_ASSIGN_OR_RETURN(StartDecision decision, DecideStart(migration));
  MigrationRecord record = decision.record;
  switch (decision.action) {
    case StartDecision::kNothingToDo:
      return Status::Ok();
    case StartDecision::kAlreadyStarted:
      return options.complete ? CompleteRecord(record, {.approval = options.approval})
                              : Status::Ok();
    case StartDecision::kNew: {
      TANDEM_RETURN_IF_ERROR(GovernStart(migration, options.approval));
      TANDEM_ASSIGN_OR_RETURN(record, RecordNewMigration(migration));
      TANDEM_RETURN_IF_ERROR(KeepStatementCounts(record, "expand"));
      break;
    }
    case StartDecision::kResume:
      break;
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_RETURN_IF_ERROR(RunPhase(record, kExpand, plan.expand, plan.schema));
  if (!options.skip_backfill) {
    TANDEM_RETURN_IF_ERROR(RunBackfill(record, plan));
  }
  return options.complete ? CompleteRecord(record, {.approval = options.approval}) : Status::Ok();
}

Result<Runner::StartDecision> Runner::DecideStart(const plan::Migration& migration) {
  // Nothing is written (not even the state schema) until the file is known
  // to be valid against the live schema.
  TANDEM_ASSIGN_OR_RETURN(bool has_state, state_->Exists());
  if (!has_state) return StartDecision{StartDecision::kNew, {}};
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> done,
                          state_->Completed(options_.schema, migration.name));
  if (done) {
    if (done->checksum == migration.checksum) {
      reporter_.Note("migration \"" + migration.name + "\" was already completed on " +
                     done->completed_at + "; nothing to do");
      return StartDecision{StartDecision::kNothingToDo, *done};
    }
    return Status::Refused("migration \"" + migration.name + "\" was already applied on " +
                           done->completed_at + " from a different file (checksum " +
                           done->checksum.substr(0, 12) + ", now " +
                           migration.checksum.substr(0, 12) + ": " +
                           FirstChangedLine(done->file_content, migration.content) +
                           "); applied migrations must not change: write a new migration");
  }
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> active, state_->Active(options_.schema));
  if (!active) return StartDecision{StartDecision::kNew, {}};
  if (active->name != migration.name) {
    return Status::Refused("migration \"" + active->name + "\" is in progress on schema \"" +
                           options_.schema + "\" (phase " + PhaseName(active->phase) +
                           "); run `tandem complete` or `tandem rollback` before starting \"" +
                           migration.name + "\"");
  }
  if (active->checksum != migration.checksum) {
    return Status::Refused(
        "migration \"" + migration.name + "\" was started from a different file (checksum " +
        active->checksum.substr(0, 12) + ", now " + migration.checksum.substr(0, 12) + ": " +
        FirstChangedLine(active->file_content, migration.content) +
        "); run `tandem rollback`, then start the new file");
  }
  if (active->phase != Phase::kStarting) {
    reporter_.Note("migration \"" + active->name + "\" is already started (phase " +
                   PhaseName(active->phase) + ")");
    return StartDecision{StartDecision::kAlreadyStarted, *active};
  }
  reporter_.Note("resuming start of \"" + active->name + "\" at step " +
                 std::to_string(active->steps_done + 1));
  return StartDecision{StartDecision::kResume, *active};
}

Result<MigrationRecord> Runner::RecordNewMigration(const plan::Migration& migration) {
  TANDEM_ASSIGN_OR_RETURN(plan::Plan planned, PlanWithInputs(migration));
  if (!options_.allow_irreversible) TANDEM_RETURN_IF_ERROR(plan::RefuseIrreversible(planned));
  for (const auto& warning : planned.warnings) reporter_.Note("warning: " + warning);
  // Said now, while there is time to change them; complete refuses.
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found,
                          engine_->FindReaders(*conn_, planned));
  for (const auto& r : found) reporter_.Note("warning: " + readers::ReaderWarning(r));
  TANDEM_RETURN_IF_ERROR(state_->Init());
  MigrationRecord record;
  record.schema = options_.schema;
  record.name = migration.name;
  record.version_schema = planned.version_schema;
  record.checksum = migration.checksum;
  record.phase = Phase::kStarting;
  record.plan_json = plan::PlanToJson(planned);
  record.file_content = migration.content;
  record.os_user = OsUser();
  TANDEM_ASSIGN_OR_RETURN(record.id, state_->Insert(record));
  return record;
}

Status Runner::Migrate(const std::vector<plan::Migration>& migrations, bool complete_last) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    bool last = i + 1 == migrations.size();
    StartOptions start;
    start.complete = !last || complete_last;
    TANDEM_RETURN_IF_ERROR(Start(migrations[i], start));
  }
  return Status::Ok();
}

// ---- backfill ------------------------------------------------------------

Status Runner::Backfill() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("backfill"));
  TANDEM_RETURN_IF_ERROR(RefuseUnlessActive(
      record,
      "the backfill runs only once start has finished expanding (run `tandem start` again to "
      "resume it)"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  return RunBackfill(record, plan);
}

Status Runner::RunBackfill(MigrationRecord& record, const plan::Plan& plan) {
  auto started = Clock::now();
  reporter_.PhaseStarted("backfill", record.name);
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record));
  // The gate expand -> backfill: the old application still works.
  if (settings.governance.present && !options_.rehearsal) {
    TANDEM_RETURN_IF_ERROR(ProbeCompatibility(record, plan, settings));
    TANDEM_RETURN_IF_ERROR(EnforceGate(record, plan, gates::Transition::kBackfill));
  }
  backfill::Options options;
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<BackfillControl> control,
                          ControlledOptions(record, options));
  TANDEM_ASSIGN_OR_RETURN(std::optional<RunDeadline> deadline, Deadline(record));
  for (const auto& sync : plan.syncs) {
    if (!sync.backfill) continue;
    auto report = [this](const backfill::Progress& p) { reporter_.BackfillProgress(p); };
    backfill::Connector connect = [this] { return database_.Connect(); };
    auto progress = engine_->BackfillTable(
        {*conn_, connect, plan.schema, sync, {options_.state_schema, record.id}, options, report});
    if (!progress.ok()) {
      if (deadline && deadline->Passed()) {
        return StopAtDeadline(record, deadline, progress.status(), "the backfill of " + sync.table,
                              "tandem backfill");
      }
      if (conn_->Healthy()) {
        (void)Record(record.id, {.phase = "backfill",
                                 .kind = "backfill",
                                 .description = "backfill " + sync.table,
                                 .outcome = "failed",
                                 .detail = progress.status().message()});
      }
      return progress.status().WithContext(
          "the backfill stopped; rows done so far are kept. Fix the cause and run `tandem "
          "backfill` to continue, or `tandem rollback`");
    }
    TANDEM_RETURN_IF_ERROR(
        Record(record.id, {.phase = "backfill",
                           .kind = "backfill",
                           .description = "backfill " + sync.table,
                           .duration_ms = DurationMs(progress->elapsed),
                           .attempts = progress->chunks,
                           .outcome = "ok",
                           .detail = std::to_string(progress->rows_updated) + " rows updated of " +
                                     std::to_string(progress->rows_scanned) + " scanned" +
                                     ChunkFiguresText(*progress)}));
  }
  // The new columns are filled: the constraints added NOT VALID can be
  // proven now, each in its own transaction (SHARE UPDATE EXCLUSIVE, so
  // reads and writes go on), rather than only at complete. Until they are,
  // the backfill does not count as done.
  for (int i = 0; i < static_cast<int>(plan.after_backfill.size()); ++i) {
    Status validated = RunStep(record, "backfill", plan.after_backfill, i, plan.schema);
    if (!validated.ok()) {
      return validated.WithContext(
          "the backfill finished but a constraint does not hold for every row; fix the rows "
          "and run `tandem backfill` again, or `tandem rollback`");
    }
  }
  TANDEM_RETURN_IF_ERROR(state_->SetBackfillDone(record.id));
  record.backfill_done = true;
  reporter_.PhaseFinished("backfill", record.name, Since(started));
  return Status::Ok();
}

Result<std::unique_ptr<BackfillControl>> Runner::ControlledOptions(const MigrationRecord& record,
                                                                   backfill::Options& options) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record, options_.config));
  options = BackfillSettings(options_, settings, engine_->DefaultChunkTime());
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backfill::Throttle> throttle, MakeThrottle(settings));
  auto control = std::make_unique<BackfillControl>(
      *state_, record.id, options_.stop_requested, std::move(throttle),
      [this] { return KeepSessions(); }, options.reconnect_window);
  TANDEM_ASSIGN_OR_RETURN(std::optional<RunDeadline> deadline, Deadline(record));
  control->StopAt(deadline);
  BackfillControl* decide = control.get();
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<AlertWatch> alerts,
                          MakeAlertWatch(record, settings, "backfill"));
  if (alerts) control->WatchAlerts(std::move(alerts));
  options.control = [decide] { return decide->Decide(); };
  options.chunk_done = [decide](long long rows) { decide->ChunkDone(rows); };
  return control;
}

bool Runner::IsChunked(const plan::Step& step) {
  return step.kind == plan::StepKind::kCopyRows || step.kind == plan::StepKind::kDrainTable;
}

// SQLite's online table rebuild: many short transactions, paced and
// controlled (pause, throttle, stop) like the backfill.
Result<backend::StepOutcome> Runner::RunChunkedStep(const MigrationRecord& record,
                                                    const plan::Step& step) {
  backfill::Options options;
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<BackfillControl> control,
                          ControlledOptions(record, options));
  auto report = [this](const backfill::Progress& p) { reporter_.BackfillProgress(p); };
  auto started = Clock::now();
  Result<backfill::Progress> progress = engine_->RunChunkedStep({*conn_, step, options, report});
  if (!progress.ok()) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<RunDeadline> deadline, Deadline(record));
    return StopAtDeadline(
        record, deadline, progress.status(), "the online rebuild step \"" + step.description + "\"",
        record.phase == Phase::kRollingBack ? "tandem rollback" : "tandem complete");
  }
  return backend::StepOutcome{.attempts = 1 + progress->retries, .duration = Since(started)};
}

Result<std::unique_ptr<backfill::Throttle>> Runner::MakeThrottle(const plan::Settings& settings,
                                                                 bool lag_only) {
  TANDEM_ASSIGN_OR_RETURN(backfill::ThrottleConfig config,
                          backfill::ResolveThrottle(options_.throttle, settings.throttle));
  TANDEM_RETURN_IF_ERROR(engine_->FitThrottle(options_.throttle, settings.throttle, config));
  if (lag_only) config = {.max_replica_lag = config.max_replica_lag, .replicas = config.replicas};
  return backfill::MakeThrottle(
      config, [this] { return database_.Connect(); }, options_.connect_replica);
}

Status Runner::SetPaused(bool paused) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(bool changed, state_->SetPaused(options_.schema, paused));
  if (!changed) {
    return Status::Refused("no migration is in progress on schema \"" + options_.schema +
                           "\"; there is no backfill to " + (paused ? "pause" : "resume"));
  }
  reporter_.Note(std::string("backfill ") + (paused ? "paused" : "resumed") +
                 (paused ? "; it waits between chunks until `tandem resume`" : ""));
  return Status::Ok();
}

// ---- verify --------------------------------------------------------------

Result<verify::Pass> Runner::Verify(const VerifyOptions& options) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("verify"));
  // While switched too: the window is when a check of the old columns matters.
  if (record.phase != Phase::kSwitched) {
    TANDEM_RETURN_IF_ERROR(RefuseUnlessActive(
        record, "verification runs while it is active or switched (after start, before complete)"));
  }
  EngineCapabilities can = engine_->capabilities();
  if ((options.scan.sample_percent > 0 && !can.verify_sampling) ||
      (options.repair && !can.verify_repair)) {
    return Status::Refused(std::string("verify --sample and --repair are not available on ") +
                           engine_->name() + " yet; run `tandem verify` (a full pass) instead");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_ASSIGN_OR_RETURN(verify::Pass pass, VerifyPass(record, plan, options.scan));
  if (!options.repair || pass.report.passed()) return pass;
  // Repair writes: it needs the runner lock like every other writer.
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_ASSIGN_OR_RETURN(long long repaired, engine_->Repair(*conn_, plan));
  reporter_.Note("repaired " + std::to_string(repaired) + " rows; verifying again");
  TANDEM_RETURN_IF_ERROR(Record(record.id, {.phase = "verify",
                                            .kind = "repair",
                                            .description = "re-synced mismatching rows",
                                            .outcome = "ok",
                                            .detail = std::to_string(repaired) + " rows"}));
  return VerifyPass(record, plan, options.scan);
}

Result<verify::Pass> Runner::VerifyPass(const MigrationRecord& record, const plan::Plan& plan,
                                        verify::Options options) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record, options_.config));
  options = VerifySettings(std::move(options), settings);
  options.backfill_finished = record.backfill_done;
  // The scans hold back under the same throttle as the backfill.
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backfill::Throttle> throttle, MakeThrottle(settings));
  TANDEM_ASSIGN_OR_RETURN(std::optional<RunDeadline> deadline, Deadline(record));
  options.before_chunk = ScanGate(
      *throttle, options_.stop_requested, [this](const std::string& why) { reporter_.Note(why); },
      deadline);
  auto connect = [this] { return database_.Connect(); };
  Result<verify::Pass> scanned =
      engine_->Verify(*conn_, connect, plan, settings.invariants, options);
  if (!scanned.ok()) {
    return StopAtDeadline(record, deadline, scanned.status(), "the verification pass",
                          "tandem verify");
  }
  verify::Pass pass = std::move(*scanned);
  pass.report.migration = record.name;
  const verify::Report& r = pass.report;
  if (!r.scan_complete && deadline && deadline->Passed()) {
    // The pass is incomplete and proves nothing: not recorded as one.
    return StopAtDeadline(record, deadline, Status::Ok(), "the verification pass", "tandem verify");
  }
  TANDEM_RETURN_IF_ERROR(state_->AppendVerifyRun(
      record.id,
      {0, "", r.full, r.passed(), false, r.parity_percent, r.flags, verify::ReportToJson(r)}));
  TANDEM_RETURN_IF_ERROR(Record(
      record.id, {.phase = "verify",
                  .kind = "verify",
                  .description = r.full ? "full verification" : "partial verification",
                  .duration_ms = r.duration_ms,
                  .outcome = r.passed() ? "ok"
                                        : (verify::WaitsForBackfill(r.flags) ? "backfill unfinished"
                                                                             : "failed"),
                  .detail = "parity " + std::to_string(r.parity_percent) + "%, flags " +
                            std::to_string(r.flags)}));
  return pass;
}

// ---- complete: the switch and the contract -------------------------------

Status Runner::Complete(const CompleteOptions& options) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("complete"));
  return CompleteRecord(record, options);
}

Status Runner::CompleteRecord(MigrationRecord record, const CompleteOptions& options) {
  if (record.phase == Phase::kRollingBack) {
    return Status::Refused("a rollback of \"" + record.name +
                           "\" was interrupted; run `tandem rollback` again to finish it");
  }
  if (record.phase == Phase::kStarting) {
    return Status::Refused("start of \"" + record.name +
                           "\" did not finish; run `tandem start` again to resume it, or "
                           "`tandem rollback`");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_RETURN_IF_ERROR(RefuseUnfinishedBackfill(
      record, plan, "completing now would drop old columns whose data is not yet in the new ones"));
  // Until its switch has run, a complete that stopped (on a reader it was
  // forced past, say) still has the old shape to protect.
  bool before_switch = record.phase != Phase::kCompleting || record.steps_done <= SwitchIndex(plan);
  if (before_switch) TANDEM_RETURN_IF_ERROR(GateOnReaders(record, plan, options));
  if (record.phase != Phase::kCompleting) {
    TANDEM_RETURN_IF_ERROR(GateOnVerification(record, plan, options));
    // From active, complete switches too: the switch's gate applies as well.
    if (record.phase == Phase::kActive && !options_.rehearsal) {
      TANDEM_RETURN_IF_ERROR(EnforceGate(record, plan, gates::Transition::kSwitch));
    }
    TANDEM_RETURN_IF_ERROR(
        Govern(record, plan, "complete", options.approval, gates::Transition::kContract));
    TANDEM_RETURN_IF_ERROR(GateOnWindow(record, options));
  }
  return RunPhase(record, kContract, plan.complete, plan.schema);
}

Status Runner::RefuseUnfinishedBackfill(const MigrationRecord& record, const plan::Plan& plan,
                                        const std::string& consequence) {
  bool needs_backfill = false;
  for (const auto& sync : plan.syncs) needs_backfill = needs_backfill || sync.backfill;
  if (!needs_backfill || record.backfill_done) return Status::Ok();
  return Status::Refused("the backfill of \"" + record.name +
                         "\" has not finished: " + consequence + ". Run `tandem backfill` first");
}

Result<bool> Runner::PassingVerificationRecorded(const MigrationRecord& record) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<VerifyRun> runs, state_->VerifyRuns(record.id));
  return !runs.empty() && runs.back().full && runs.back().passed && runs.back().after_backfill;
}

Status Runner::GateOnVerification(const MigrationRecord& record, const plan::Plan& plan,
                                  const CompleteOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, PassingVerificationRecorded(record));
  if (recorded) return Status::Ok();
  reporter_.Note("no passing full verification since the backfill: verifying now");
  TANDEM_ASSIGN_OR_RETURN(verify::Pass pass, VerifyPass(record, plan, verify::Options{}));
  reporter_.Note(verify::ReportToText(pass.report));
  if (pass.report.passed()) return Status::Ok();
  if (options.force) return RecordForced(record, options, "a failed verification");
  return Status::Refused("verification of \"" + record.name +
                         "\" failed, so complete would drop old data that the new columns do "
                         "not hold (flags " +
                         std::to_string(pass.report.flags) +
                         "). Run `tandem verify` for details and `tandem verify --repair` to "
                         "re-sync, or `tandem complete --force --reason TEXT` to override");
}

Status Runner::RecordForced(const MigrationRecord& record, const CompleteOptions& options,
                            const std::string& past) {
  reporter_.Note("completing despite " + past + " (--force): " + options.reason);
  return Record(record.id, {.phase = "complete",
                            .kind = "forced",
                            .description = "complete forced past " + past,
                            .outcome = "ok",
                            .detail = "reason: " + options.reason});
}

// ---- rollback ------------------------------------------------------------

Status Runner::Rollback() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_RETURN_IF_ERROR(RefuseRollbackAfterComplete());
  Status locked = AcquireRunnerLock();
  if (locked.kind() == ErrorKind::kBusy) {
    // Most likely a backfill: it holds the runner lock while it runs. Paused
    // now, it stops changing rows at its next chunk. A runner still in the
    // expand is left alone: a pause would only hold its backfill later.
    TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> active, state_->Active(options_.schema));
    bool backfilling = active && active->phase == Phase::kActive && !active->backfill_done;
    TANDEM_ASSIGN_OR_RETURN(
        bool paused, backfilling ? state_->SetPaused(options_.schema, true) : Result<bool>(false));
    if (paused) {
      return locked.WithContext(
          "rollback paused the backfill (it waits between chunks); stop the runner holding "
          "the lock (Ctrl-C), then run `tandem rollback` again");
    }
  }
  TANDEM_RETURN_IF_ERROR(locked);
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("roll back"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, plan::PlanFromJson(record.plan_json));
  TANDEM_ASSIGN_OR_RETURN(RollbackChoice choice, ChooseRollback(record, plan));
  reporter_.Note("rollback of \"" + record.name + "\": " + choice.says);
  TANDEM_RETURN_IF_ERROR(
      Record(record.id,
             {.phase = "rollback", .kind = "action", .description = choice.says, .outcome = "ok"}));
  if (choice.action == RollbackChoice::Action::kFlipBack) return SwitchBack(record, plan);
  if (choice.action == RollbackChoice::Action::kUndoExpand) {
    TANDEM_RETURN_IF_ERROR(PauseAndSnapshot(record));
  }
  return RunPhase(record, kRollback, choice.steps, plan.schema);
}

Result<RollbackChoice> Runner::PreviewRollback() {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  if (!recorded) {
    return Status::Refused("no migration is in progress on schema \"" + options_.schema +
                           "\" (tandem never ran here), so there is nothing to roll back");
  }
  TANDEM_RETURN_IF_ERROR(RefuseRollbackAfterComplete());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("roll back"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, plan::PlanFromJson(record.plan_json));
  TANDEM_ASSIGN_OR_RETURN(RollbackChoice choice, ChooseRollback(record, plan));
  TANDEM_ASSIGN_OR_RETURN(
      std::optional<Rehearsal> rehearsal,
      LastRehearsal(*conn_, database_.engine(), options_.state_schema, record.schema, record.name));
  // A flip back is the rehearsal's "switch back"; an undo of the expand its "rollback".
  const char* rehearsed =
      choice.action == RollbackChoice::Action::kFlipBack ? "switch back" : "rollback";
  if (rehearsal) {
    for (const PhaseTiming& phase : rehearsal->phases) {
      if (phase.phase == rehearsed) choice.rehearsed = phase;
    }
  }
  return choice;
}

Result<RollbackChoice> Runner::ChooseRollback(const MigrationRecord& record,
                                              const plan::Plan& plan) {
  using Action = RollbackChoice::Action;
  if (record.phase == Phase::kSwitched) {
    // The fastest safe step back: the old version again, nothing dropped.
    return RollbackChoice{Action::kFlipBack,
                          "switched, so rollback flips back to the old version, keeping "
                          "dual-write on and dropping nothing; run `tandem rollback` again to "
                          "undo the expand",
                          plan.switch_back};
  }
  if (record.phase == Phase::kCompleting && record.steps_done > SwitchIndex(plan)) {
    return Status::Refused("complete of \"" + record.name +
                           "\" already switched to the new schema; rollback is no longer "
                           "possible. Run `tandem complete` to finish it");
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<plan::Step> steps, OwnRollbackSteps(record, plan));
  if (record.phase == Phase::kRollingBack) {
    return RollbackChoice{Action::kResumeRollback,
                          "an earlier rollback stopped part-way; rollback runs its remaining steps",
                          steps};
  }
  return RollbackChoice{Action::kUndoExpand,
                        "in phase " + std::string(PhaseName(record.phase)) +
                            ", so rollback pauses the backfill, records where parity stood, and "
                            "undoes the expand (drops what start added)",
                        steps};
}

Status Runner::PauseAndSnapshot(const MigrationRecord& record) {
  TANDEM_ASSIGN_OR_RETURN(bool paused, state_->SetPaused(options_.schema, true));
  (void)paused;  // the migration is the active one: it was found above
  TANDEM_ASSIGN_OR_RETURN(std::vector<backfill::Progress> progress,
                          engine_->ReadProgress(*conn_, {options_.state_schema, record.id}));
  std::string summary;
  for (const auto& p : progress) {
    summary += p.table + ": " + std::to_string(p.rows_scanned) + " of about " +
               std::to_string(p.estimated_total) + " rows backfilled" + (p.done ? " (done)" : "") +
               "; ";
  }
  if (progress.empty()) summary = record.backfill_done ? "backfill done; " : "no backfill ran; ";
  TANDEM_ASSIGN_OR_RETURN(std::vector<VerifyRun> runs, state_->VerifyRuns(record.id));
  if (runs.empty()) {
    summary += "never verified";
  } else {
    summary += std::string("last verification ") + (runs.back().passed ? "passed" : "failed") +
               " at " + runs.back().at + ", parity " + std::to_string(runs.back().parity_percent) +
               "%, flags " + std::to_string(runs.back().flags);
  }
  reporter_.Note("backfill paused; parity before the undo: " + summary);
  TANDEM_RETURN_IF_ERROR(Record(record.id, {.phase = "rollback",
                                            .kind = "parity_snapshot",
                                            .description = "parity before the undo",
                                            .outcome = "ok",
                                            .detail = summary}));
  // The backfill is stopped for good now (this runner holds the lock). The
  // undo's own chunked steps (SQLite's online rebuild) obey the same pause,
  // so it is lifted for them; `tandem pause` still pauses them.
  TANDEM_ASSIGN_OR_RETURN(bool resumed, state_->SetPaused(options_.schema, false));
  (void)resumed;
  return Status::Ok();
}

Status Runner::RefuseRollbackAfterComplete() {
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> active, state_->Active(options_.schema));
  if (active) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> last, LastCompleted());
  if (!last) return Status::Ok();  // RequireActive says there is nothing
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, plan::PlanFromJson(last->plan_json));
  std::vector<std::string> gone;
  for (const auto& r : plan.retired) {
    gone.push_back(r.column.empty() ? "table " + r.table : r.table + "." + r.column);
  }
  return Status::Refused(
      "migration \"" + last->name + "\" was completed on " + last->completed_at +
      ": its contract dropped the old version" +
      (gone.empty() ? std::string() : " (" + Join(gone, ", ") + ")") +
      ", so there is nothing to roll back to. Write a new migration that brings back what you "
      "need");
}

// ---- how a phase runs ----------------------------------------------------

const Runner::PhaseSpec Runner::kExpand{"expand", Phase::kStarting, Phase::kActive,
                                        "run `tandem start` again to resume, or `tandem "
                                        "rollback` to undo the steps done"};

const Runner::PhaseSpec Runner::kContract{"complete", Phase::kCompleting, Phase::kCompleted,
                                          "run `tandem complete` again to resume (until its "
                                          "switch step has run, `tandem rollback` undoes the "
                                          "migration instead)"};

const Runner::PhaseSpec Runner::kRollback{"rollback", Phase::kRollingBack, Phase::kRolledBack,
                                          "run `tandem rollback` again to resume"};

Status Runner::RunPhase(MigrationRecord& record, const PhaseSpec& spec,
                        const std::vector<plan::Step>& steps, const std::string& schema) {
  auto started = Clock::now();
  if (record.phase != spec.running) TANDEM_RETURN_IF_ERROR(MoveTo(record, spec.running));
  reporter_.PhaseStarted(spec.name, record.name);
  TANDEM_RETURN_IF_ERROR(Record(record.id, {.phase = spec.name,
                                            .kind = "phase",
                                            .description = std::string(spec.name) + " started",
                                            .outcome = "ok"}));
  Status status = RunSteps(record, spec.name, steps, schema);
  if (!status.ok()) {
    return status.WithContext(std::string(spec.name) + " of \"" + record.name +
                              "\" stopped; the steps done so far are recorded. Fix the cause and " +
                              spec.resume_hint);
  }
  TANDEM_RETURN_IF_ERROR(MoveTo(record, spec.done));
  TANDEM_RETURN_IF_ERROR(Record(record.id, {.phase = spec.name,
                                            .kind = "phase",
                                            .description = std::string(spec.name) + " finished",
                                            .duration_ms = DurationMs(Since(started)),
                                            .outcome = "ok"}));
  reporter_.PhaseFinished(spec.name, record.name, Since(started));
  return Status::Ok();
}

Status Runner::RunSteps(MigrationRecord& record, const std::string& phase,
                        const std::vector<plan::Step>& steps, const std::string& schema) {
  int total = static_cast<int>(steps.size());
  // A runner killed after a step's event but before its progress leaves
  // steps_done one short; the event log says the step ran, and running its
  // DDL again would fail on the objects it made.
  TANDEM_ASSIGN_OR_RETURN(std::set<std::string> ran, state_->StepsRun(record.id, phase));
  while (record.steps_done < total && ran.count(steps[record.steps_done].description) > 0) {
    ++record.steps_done;
  }
  for (int i = record.steps_done; i < total; ++i) {
    TANDEM_RETURN_IF_ERROR(RunStep(record, phase, steps, i, schema));
    TANDEM_RETURN_IF_ERROR(state_->SetStepsDone(record.id, i + 1));
    record.steps_done = i + 1;
  }
  return Status::Ok();
}

Status Runner::RunStep(const MigrationRecord& record, const std::string& phase,
                       const std::vector<plan::Step>& steps, int i, const std::string& schema) {
  const plan::Step& step = steps[i];
  int total = static_cast<int>(steps.size());
  int failed_attempts = 0;
  auto observer = [&](int attempt, const Status& error, const std::vector<std::string>& blockers) {
    failed_attempts = attempt;
    reporter_.StepRetrying(step, attempt, error, blockers);
    (void)Record(record.id,
                 {.phase = phase,
                  .kind = "retry",
                  .description = step.description,
                  .attempts = attempt,
                  .outcome = "retry",
                  .detail = error.message() +
                            (blockers.empty() ? "" : "; held by " + Join(blockers, "; "))});
  };
  std::string sql;
  for (const auto& s : step.statements) sql += s + ";\n";
  spdlog::debug("{} step {}/{}: {}\n{}", phase, i + 1, total, step.description, sql);
  // A record stored before files were kept plans with the flags alone.
  auto settings = SettingsOf(record, options_.config);
  backend::LockPolicy policy =
      settings.ok() ? LockPolicyOf(options_, *settings) : options_.lock_policy;
  // The step's event, written as the step's last statement (on SQLite in
  // its transaction: a kill -9 can no longer leave a step done that its
  // record says was not, which the next run would do again).
  Event done{
      .phase = phase, .kind = "step", .description = step.description, .sql = sql, .outcome = "ok"};
  auto started = Clock::now();
  auto record_done = [&]() -> Status {
    done.duration_ms = DurationMs(Since(started));
    done.attempts = failed_attempts + 1;
    return state_->AppendUnannounced(record.id, done);
  };
  auto outcome = IsChunked(step)
                     ? RunChunkedStep(record, step)
                     : database_.RunStep(*conn_, schema, step, policy, observer, record_done);
  if (!outcome.ok()) {
    if (conn_->Healthy()) {
      (void)Record(record.id, {.phase = phase,
                               .kind = "step",
                               .description = step.description,
                               .sql = sql,
                               .outcome = "failed",
                               .detail = outcome.status().message()});
    }
    return outcome.status().WithContext(phase + " step " + std::to_string(i + 1) + "/" +
                                        std::to_string(total) + " (" + step.description +
                                        ") failed");
  }
  if (IsChunked(step)) {
    done.duration_ms = DurationMs(outcome->duration);
    done.attempts = outcome->attempts;
    TANDEM_RETURN_IF_ERROR(Record(record.id, done));
  } else {
    state_->Announce(record.id, done);
  }
  reporter_.StepDone(phase, i + 1, total, step, *outcome);
  return Status::Ok();
}

Result<MigrationRecord> Runner::RequireActive(const std::string& command) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> active, state_->Active(options_.schema));
  if (!active) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> last, LastCompleted());
    std::string last_one = last ? " (the last one, \"" + last->name + "\", was completed on " +
                                      last->completed_at +
                                      "; only a new migration changes what it did)"
                                : "";
    return Status::Refused("no migration is in progress on schema \"" + options_.schema + "\"" +
                           last_one + ", so there is nothing to " + command +
                           "; `tandem status` shows the history");
  }
  return *active;
}

Status Runner::MoveTo(MigrationRecord& record, Phase to) {
  TANDEM_RETURN_IF_ERROR(state_->SetPhase(record.id, record.phase, to));
  record.phase = to;
  record.steps_done = 0;
  return Status::Ok();
}

Status Runner::Record(long long id, const Event& event) { return state_->Append(id, event); }

}  // namespace tandem::core
