#include "core/runner.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>

#include "backfill/postgres/backfill.h"
#include "backfill/sqlite/backfill.h"
#include "common/log.h"
#include "core/backfill_control.h"
#include "core/changed_file.h"
#include "plan/plan_json.h"
#include "reader/reader.h"
#include "verify/sqlite/verifier.h"

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

// Index of the contract switch within the complete steps: once it ran, the
// old version is gone and rollback is no longer possible.
int SwitchIndex(const plan::Plan& plan) {
  for (size_t i = 0; i < plan.complete.size(); ++i) {
    if (plan.complete[i].description.rfind("switch:", 0) == 0) return static_cast<int>(i);
  }
  return static_cast<int>(plan.complete.size());
}

// The migration file's own settings, from the copy kept in the state store.
Result<plan::Settings> SettingsOf(const MigrationRecord& record) {
  TANDEM_ASSIGN_OR_RETURN(plan::Migration migration,
                          reader::ParseMigration(record.file_content, record.name + ".yaml"));
  return migration.settings;
}

// A session is alive when it answers; Healthy() alone only knows of
// failures a statement has already met.
bool Answers(backend::Connection& conn) { return conn.Execute("SELECT 1").ok(); }

}  // namespace

Runner::Runner(backend::Database& database, RunnerOptions options, Reporter& reporter)
    : database_(database), options_(std::move(options)), reporter_(reporter) {
  // A SQLite file is one schema, "main"; --schema names nothing there.
  if (Sqlite()) options_.schema = "main";
}

bool Runner::Sqlite() const { return database_.engine() == backend::Engine::kSqlite; }

Runner::~Runner() = default;

Status Runner::Connect() { return Open(/*to_read=*/false); }

Status Runner::ConnectToRead() { return Open(/*to_read=*/true); }

Status Runner::Open(bool to_read) {
  if (conn_ && conn_->Healthy() && (to_read || !conn_reads_only_)) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(conn_, to_read ? database_.ConnectToRead() : database_.Connect());
  conn_reads_only_ = to_read;
  state_ = std::make_unique<StateStore>(*conn_, options_.state_schema, database_.engine());
  return Status::Ok();
}

std::string Runner::LockKey() const {
  // Not the state schema: two runners keeping their records apart still
  // change the same tables.
  return "tandem:" + options_.schema;
}

Status Runner::AcquireRunnerLock() {
  if (lock_conn_) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(lock_conn_, database_.Connect());
  TANDEM_RETURN_IF_ERROR(database_.CheckSessionState(*lock_conn_));
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(database_.CheckSeparateSessions(*lock_conn_, *conn_));
  TANDEM_ASSIGN_OR_RETURN(bool got, database_.TryRunnerLock(*lock_conn_, LockKey()));
  if (!got) {
    std::string holder = database_.DescribeRunnerLockHolder(*lock_conn_, LockKey());
    lock_conn_.reset();
    return Status::Error(ErrorKind::kBusy,
                         "another tandem runner is working on schema \"" + options_.schema +
                             "\": " + holder +
                             ". Wait for it to finish (tandem status shows what it does), or "
                             "stop it; only one runner may change a schema at a time");
  }
  return Status::Ok();
}

Status Runner::KeepSessions() {
  if (!Answers(*conn_)) TANDEM_RETURN_IF_ERROR(conn_->Reconnect());
  if (!lock_conn_ || Answers(*lock_conn_)) return Status::Ok();
  TANDEM_RETURN_IF_ERROR(lock_conn_->Reconnect());
  TANDEM_ASSIGN_OR_RETURN(bool got, database_.TryRunnerLock(*lock_conn_, LockKey()));
  if (got) {
    spdlog::warn("the database session holding the runner lock was lost; took the lock again");
    return Status::Ok();
  }
  return Status::Error(ErrorKind::kBusy,
                       "the session holding the runner lock was lost, and another runner took "
                       "the lock meanwhile: " +
                           database_.DescribeRunnerLockHolder(*lock_conn_, LockKey()) +
                           ". This runner stops; the other one carries on");
}

Status Runner::Init() {
  TANDEM_RETURN_IF_ERROR(Connect());
  return state_->Init();
}

Status Runner::Record(long long id, const Event& event) { return state_->Append(id, event); }

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
  auto observer = [&](int attempt, const Status& error, const std::string& blockers) {
    reporter_.StepRetrying(step, attempt, error, blockers);
    (void)Record(record.id, {phase, "retry", step.description, "", 0, attempt, "retry",
                             error.message() + (blockers.empty() ? "" : "; held by " + blockers)});
  };
  std::string sql;
  for (const auto& s : step.statements) sql += s + ";\n";
  spdlog::debug("{} step {}/{}: {}\n{}", phase, i + 1, total, step.description, sql);
  auto outcome = database_.RunStep(*conn_, schema, step, options_.lock_policy, observer);
  if (!outcome.ok()) {
    if (conn_->Healthy()) {
      (void)Record(record.id, {phase, "step", step.description, sql, 0, 0, "failed",
                               outcome.status().message()});
    }
    return outcome.status().WithContext(phase + " step " + std::to_string(i + 1) + "/" +
                                        std::to_string(total) + " (" + step.description +
                                        ") failed");
  }
  TANDEM_RETURN_IF_ERROR(Record(
      record.id, {phase, "step", step.description, sql,
                  static_cast<double>(outcome->duration.count()), outcome->attempts, "ok", ""}));
  reporter_.StepDone(phase, i + 1, total, step, *outcome);
  return Status::Ok();
}

const Runner::PhaseSpec Runner::kExpand{"expand", kPhaseStarting, kPhaseActive,
                                        "run `tandem start` again to resume, or `tandem "
                                        "rollback` to undo the steps done"};
const Runner::PhaseSpec Runner::kContract{"complete", kPhaseCompleting, kPhaseCompleted,
                                          "run `tandem complete` again to resume (until its "
                                          "switch step has run, `tandem rollback` undoes the "
                                          "migration instead)"};
const Runner::PhaseSpec Runner::kRollback{"rollback", kPhaseRollingBack, kPhaseRolledBack,
                                          "run `tandem rollback` again to resume"};

Status Runner::RunPhase(MigrationRecord& record, const PhaseSpec& spec,
                        const std::vector<plan::Step>& steps, const std::string& schema) {
  auto started = Clock::now();
  if (record.phase != spec.running) {
    TANDEM_RETURN_IF_ERROR(state_->SetPhase(record.id, spec.running));
    record.phase = spec.running;
    record.steps_done = 0;
  }
  reporter_.PhaseStarted(spec.name, record.name);
  TANDEM_RETURN_IF_ERROR(Record(
      record.id, {spec.name, "phase", std::string(spec.name) + " started", "", 0, 0, "ok", ""}));
  Status status = RunSteps(record, spec.name, steps, schema);
  if (!status.ok()) {
    return status.WithContext(std::string(spec.name) + " of \"" + record.name +
                              "\" stopped; the steps done so far are recorded. Fix the cause and " +
                              spec.resume_hint);
  }
  TANDEM_RETURN_IF_ERROR(state_->SetPhase(record.id, spec.done));
  record.phase = spec.done;
  record.steps_done = 0;
  TANDEM_RETURN_IF_ERROR(
      Record(record.id, {spec.name, "phase", std::string(spec.name) + " finished", "",
                         static_cast<double>(Since(started).count()), 0, "ok", ""}));
  reporter_.PhaseFinished(spec.name, record.name, Since(started));
  return Status::Ok();
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
                           options_.schema + "\" (phase " + active->phase +
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
  if (active->phase != kPhaseStarting) {
    reporter_.Note("migration \"" + active->name + "\" is already started (phase " + active->phase +
                   ")");
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
  TANDEM_RETURN_IF_ERROR(state_->Init());
  MigrationRecord record;
  record.schema = options_.schema;
  record.name = migration.name;
  record.version_schema = planned.version_schema;
  record.checksum = migration.checksum;
  record.phase = kPhaseStarting;
  record.plan_json = plan::PlanToJson(planned);
  record.file_content = migration.content;
  record.os_user = OsUser();
  TANDEM_ASSIGN_OR_RETURN(record.id, state_->Insert(record));
  return record;
}

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
      return options.complete ? CompleteRecord(record) : Status::Ok();
    case StartDecision::kNew: {
      TANDEM_ASSIGN_OR_RETURN(record, RecordNewMigration(migration));
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
  return options.complete ? CompleteRecord(record) : Status::Ok();
}

Status Runner::RunBackfill(MigrationRecord& record, const plan::Plan& plan) {
  auto started = Clock::now();
  reporter_.PhaseStarted("backfill", record.name);
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record));
  backfill::Options options;
  // The command line wins over the file's `backfill:` section.
  options.batch_size = options_.batch_size ? options_.batch_size : settings.backfill_batch_size;
  // Every SQLite writer waits for a whole chunk (one writer at a time), so
  // its chunks are shorter unless the user says otherwise.
  options.target_chunk_time =
      options_.target_chunk_time.value_or(settings.backfill_target_chunk_time.value_or(
          Sqlite() ? kSqliteChunkTime : kPostgresChunkTime));
  // A target someone chose holds from the first chunk (a fixed size has none).
  if (options_.target_chunk_time || settings.backfill_target_chunk_time || options.batch_size) {
    options.gentle_start = Millis(0);
  }
  options.concurrency =
      options_.concurrency.value_or(settings.backfill_concurrency.value_or(options.concurrency));
  options.vacuum_every =
      options_.vacuum_every ? options_.vacuum_every : settings.backfill_vacuum_every;
  options.reconnect_window = options_.reconnect_window.value_or(
      settings.backfill_reconnect_window.value_or(options.reconnect_window));
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backfill::Throttle> throttle, MakeThrottle(settings));
  BackfillControl control(
      *state_, record.id, options_.stop_requested, std::move(throttle),
      [this] { return KeepSessions(); }, options.reconnect_window);
  options.control = [&control] { return control.Decide(); };
  options.chunk_done = [&control](long long rows) { control.ChunkDone(rows); };
  for (const auto& sync : plan.syncs) {
    if (!sync.backfill) continue;
    auto report = [this](const backfill::Progress& p) { reporter_.BackfillProgress(p); };
    backfill::Connector connect = [this] { return database_.Connect(); };
    auto progress =
        Sqlite() ? backfill::BackfillSqliteTable(*conn_, connect, sync, options, report)
                 : backfill::BackfillTable(connect, plan.schema, sync,
                                           {options_.state_schema, record.id}, options, report);
    if (!progress.ok()) {
      if (conn_->Healthy()) {
        (void)Record(record.id, {"backfill", "backfill", "backfill " + sync.table, "", 0, 0,
                                 "failed", progress.status().message()});
      }
      return progress.status().WithContext(
          "the backfill stopped; rows done so far are kept. Fix the cause and run `tandem "
          "backfill` to continue, or `tandem rollback`");
    }
    TANDEM_RETURN_IF_ERROR(
        Record(record.id, {"backfill", "backfill", "backfill " + sync.table, "",
                           static_cast<double>(progress->elapsed.count()), progress->chunks, "ok",
                           std::to_string(progress->rows_updated) + " rows updated of " +
                               std::to_string(progress->rows_scanned) + " scanned"}));
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

Status Runner::Backfill() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("backfill"));
  if (record.phase != kPhaseActive) {
    return Status::Refused("migration \"" + record.name + "\" is in phase " + record.phase +
                           "; the backfill runs only once start has finished expanding (run "
                           "`tandem start` again to resume it)");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  return RunBackfill(record, plan);
}

Status Runner::Complete(const CompleteOptions& options) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("complete"));
  return CompleteRecord(record, options);
}

Status Runner::CompleteRecord(MigrationRecord record, const CompleteOptions& options) {
  if (record.phase == kPhaseRollingBack) {
    return Status::Refused("a rollback of \"" + record.name +
                           "\" was interrupted; run `tandem rollback` again to finish it");
  }
  if (record.phase == kPhaseStarting) {
    return Status::Refused("start of \"" + record.name +
                           "\" did not finish; run `tandem start` again to resume it, or "
                           "`tandem rollback`");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  bool needs_backfill = false;
  for (const auto& sync : plan.syncs) needs_backfill = needs_backfill || sync.backfill;
  if (needs_backfill && !record.backfill_done) {
    return Status::Refused("the backfill of \"" + record.name +
                           "\" has not finished: completing now would drop old columns whose "
                           "data is not yet in the new ones. Run `tandem backfill` first");
  }
  if (record.phase != kPhaseCompleting) {
    TANDEM_RETURN_IF_ERROR(GateOnVerification(record, plan, options));
  }
  return RunPhase(record, kContract, plan.complete, plan.schema);
}

Result<std::unique_ptr<backfill::Throttle>> Runner::MakeThrottle(const plan::Settings& settings) {
  TANDEM_ASSIGN_OR_RETURN(backfill::ThrottleConfig config,
                          backfill::ResolveThrottle(options_.throttle, settings.throttle));
  TANDEM_RETURN_IF_ERROR(
      FitThrottleToEngine(database_.engine(), options_.throttle, settings.throttle, config));
  return backfill::MakeThrottle(
      config, [this] { return database_.Connect(); }, options_.connect_replica);
}

Result<verify::Pass> Runner::VerifyPass(const MigrationRecord& record, const plan::Plan& plan,
                                        verify::Options options) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record));
  if (settings.parity_threshold) options.parity_threshold = *settings.parity_threshold;
  if (settings.drift_threshold) options.drift_threshold = *settings.drift_threshold;
  options.backfill_finished = record.backfill_done;
  // The scans hold back under the same throttle as the backfill.
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backfill::Throttle> throttle, MakeThrottle(settings));
  options.before_chunk = ScanGate(*throttle, options_.stop_requested,
                                  [this](const std::string& why) { reporter_.Note(why); });
  auto connect = [this] { return database_.Connect(); };
  TANDEM_ASSIGN_OR_RETURN(
      verify::Pass pass, Sqlite()
                             ? verify::VerifySqlite(*conn_, plan, settings.invariants, options)
                             : verify::Verify(*conn_, connect, plan, settings.invariants, options));
  pass.report.migration = record.name;
  const verify::Report& r = pass.report;
  TANDEM_RETURN_IF_ERROR(state_->AppendVerifyRun(
      record.id,
      {0, "", r.full, r.passed(), false, r.parity_percent, r.flags, verify::ReportToJson(r)}));
  TANDEM_RETURN_IF_ERROR(Record(
      record.id,
      {"verify", "verify", r.full ? "full verification" : "partial verification", "", r.duration_ms,
       0,
       r.passed() ? "ok" : (verify::WaitsForBackfill(r.flags) ? "backfill unfinished" : "failed"),
       "parity " + std::to_string(r.parity_percent) + "%, flags " + std::to_string(r.flags)}));
  return pass;
}

Result<verify::Pass> Runner::Verify(const VerifyOptions& options) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("verify"));
  if (record.phase != kPhaseActive) {
    return Status::Refused("migration \"" + record.name + "\" is in phase " + record.phase +
                           "; verification runs while it is active (after start, before "
                           "complete)");
  }
  if (Sqlite() && (options.scan.sample_percent > 0 || options.repair)) {
    return Status::Refused(
        "verify --sample and --repair are not available on SQLite yet; run "
        "`tandem verify` (a full pass) instead");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_ASSIGN_OR_RETURN(verify::Pass pass, VerifyPass(record, plan, options.scan));
  if (!options.repair || pass.report.passed()) return pass;
  // Repair writes: it needs the runner lock like every other writer.
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_ASSIGN_OR_RETURN(long long repaired, verify::Repair(*conn_, plan));
  reporter_.Note("repaired " + std::to_string(repaired) + " rows; verifying again");
  TANDEM_RETURN_IF_ERROR(Record(record.id, {"verify", "repair", "re-synced mismatching rows", "", 0,
                                            0, "ok", std::to_string(repaired) + " rows"}));
  return VerifyPass(record, plan, options.scan);
}

Status Runner::GateOnVerification(const MigrationRecord& record, const plan::Plan& plan,
                                  const CompleteOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<VerifyRun> runs, state_->VerifyRuns(record.id));
  if (!runs.empty() && runs.back().full && runs.back().passed && runs.back().after_backfill) {
    return Status::Ok();
  }
  reporter_.Note("no passing full verification since the backfill: verifying now");
  TANDEM_ASSIGN_OR_RETURN(verify::Pass pass, VerifyPass(record, plan, verify::Options{}));
  reporter_.Note(verify::ReportToText(pass.report));
  if (pass.report.passed()) return Status::Ok();
  if (options.force) {
    reporter_.Note("completing despite the failed verification (--force): " + options.reason);
    return Record(record.id, {"complete", "forced", "complete forced past a failed verification",
                              "", 0, 0, "ok", "reason: " + options.reason});
  }
  return Status::Refused("verification of \"" + record.name +
                         "\" failed, so complete would drop old data that the new columns do "
                         "not hold (flags " +
                         std::to_string(pass.report.flags) +
                         "). Run `tandem verify` for details and `tandem verify --repair` to "
                         "re-sync, or `tandem complete --force --reason TEXT` to override");
}

Status Runner::Rollback() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("roll back"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, plan::PlanFromJson(record.plan_json));
  if (record.phase == kPhaseCompleting && record.steps_done > SwitchIndex(plan)) {
    return Status::Refused("complete of \"" + record.name +
                           "\" already switched to the new schema; rollback is no longer "
                           "possible. Run `tandem complete` to finish it");
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<plan::Step> rollback, OwnRollbackSteps(record, plan));
  return RunPhase(record, kRollback, rollback, plan.schema);
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

Result<StatusReport> Runner::GetStatus() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  StatusReport report;
  TANDEM_ASSIGN_OR_RETURN(report.active, state_->Active(options_.schema));
  TANDEM_ASSIGN_OR_RETURN(report.last_completed, LastCompleted());
  TANDEM_ASSIGN_OR_RETURN(
      report.contradictions,
      StateContradictions(report.active ? report.active : report.last_completed));
  if (report.active) {
    report.version_schema = report.active->version_schema;
    TANDEM_ASSIGN_OR_RETURN(std::vector<VerifyRun> runs, state_->VerifyRuns(report.active->id));
    if (!runs.empty()) report.last_verify = runs.back();
    TANDEM_ASSIGN_OR_RETURN(report.last_throttle, state_->LastEvent(report.active->id, "throttle"));
    TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, plan::PlanFromJson(report.active->plan_json));
    for (const auto& view : plan.views) {
      if (!view.access.empty()) report.new_version_access.emplace_back(view.name, view.access);
    }
    if (!Sqlite()) {  // SQLite's backfill keeps no checkpoints table
      TANDEM_ASSIGN_OR_RETURN(
          report.backfill,
          backfill::ReadProgress(*conn_, {options_.state_schema, report.active->id}));
    }
  } else if (report.last_completed) {
    report.version_schema = report.last_completed->version_schema;
  }
  return report;
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

Result<std::vector<MigrationRecord>> Runner::History() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  return state_->History(options_.schema);
}

}  // namespace tandem::core
