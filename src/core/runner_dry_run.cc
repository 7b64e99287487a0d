// Runner: --dry-run. Each command's dry run reads what the command itself
// would read (the live schema, tandem's records) on a read-only session and
// returns the steps it would run, leaving the database as it was: no runner
// lock, no state tables, no event.
#include "core/runner.h"
#include "plan/plan_json.h"

namespace tandem::core {
namespace {

// The steps of `steps` a phase that already ran `done` of them still runs.
std::vector<plan::Step> Remaining(const std::vector<plan::Step>& steps, int done) {
  if (done <= 0) return steps;
  if (done >= static_cast<int>(steps.size())) return {};
  return {steps.begin() + done, steps.end()};
}

void AddBackfills(const plan::Plan& plan, DryRun* run) {
  for (const auto& sync : plan.syncs) {
    if (sync.backfill) run->backfills.push_back({sync.table, sync.key_columns});
  }
}

DryRun For(const std::string& command, const MigrationRecord& record) {
  DryRun run;
  run.command = command;
  run.migration = record.name;
  run.recorded_phase = PhaseName(record.phase);
  return run;
}

}  // namespace

Result<MigrationRecord> Runner::ReadActive(const std::string& command) {
  TANDEM_RETURN_IF_ERROR(ConnectToRead());
  TANDEM_ASSIGN_OR_RETURN(bool has_state, state_->Exists());
  if (!has_state) {
    return Status::Refused("no migration is in progress on schema \"" + options_.schema +
                           "\" (tandem has no records in this database), so there is nothing to " +
                           command + "; run `tandem start FILE` first");
  }
  return RequireActive(command);
}

Result<DryRun> Runner::DryRunStart(const plan::Migration& migration, const StartOptions& options) {
  TANDEM_RETURN_IF_ERROR(ConnectToRead());
  TANDEM_ASSIGN_OR_RETURN(StartDecision decision, DecideStart(migration));
  DryRun run = For("start", decision.record);
  run.migration = migration.name;
  if (decision.action == StartDecision::kNew) run.recorded_phase.clear();
  plan::Plan plan;
  switch (decision.action) {
    case StartDecision::kNothingToDo:
      run.notes.push_back("already completed: start would do nothing");
      return run;
    case StartDecision::kAlreadyStarted: {
      run.notes.push_back("already started: start would run no expand step");
      TANDEM_ASSIGN_OR_RETURN(plan, StoredPlan(decision.record));
      if (options.complete) TANDEM_RETURN_IF_ERROR(DryRunCompleteOf(decision.record, plan, &run));
      return run;
    }
    case StartDecision::kNew: {
      TANDEM_ASSIGN_OR_RETURN(plan, Plan(migration));
      if (!options_.allow_irreversible) TANDEM_RETURN_IF_ERROR(plan::RefuseIrreversible(plan));
      run.notes = plan.warnings;
      run.notes.push_back(
          "start would first create tandem's state tables (schema \"" + options_.state_schema +
          "\") if missing and record the migration, taking the runner lock for schema \"" +
          options_.schema + "\"");
      run.stages.push_back({"start: expand", plan.expand});
      break;
    }
    case StartDecision::kResume: {
      TANDEM_ASSIGN_OR_RETURN(plan, StoredPlan(decision.record));
      run.notes.push_back("start would resume at expand step " +
                          std::to_string(decision.record.steps_done + 1));
      run.stages.push_back({"start: expand", Remaining(plan.expand, decision.record.steps_done)});
      break;
    }
  }
  if (!options.skip_backfill) {
    AddBackfills(plan, &run);
    if (!plan.after_backfill.empty()) {
      run.stages.push_back({"start: after the backfill", plan.after_backfill});
    }
  }
  if (options.complete) {
    run.stages.push_back({"complete", plan.complete});
    run.notes.push_back(
        "complete would first look for hidden readers and verify every row; either may refuse");
  }
  return run;
}

Result<DryRun> Runner::DryRunBackfill() {
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, ReadActive("backfill"));
  DryRun run = For("backfill", record);
  if (record.phase != Phase::kActive) {
    return Status::Refused("migration \"" + record.name + "\" is in phase " +
                           PhaseName(record.phase) +
                           "; the backfill runs only once start has finished expanding");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  AddBackfills(plan, &run);
  if (!plan.after_backfill.empty()) {
    run.stages.push_back({"backfill: after the backfill", plan.after_backfill});
  }
  if (record.backfill_done) {
    run.notes.push_back("the backfill has finished already: it would only check every row again");
  }
  return run;
}

Result<DryRun> Runner::DryRunSwitch(const SwitchOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record,
                          ReadActive(options.back ? "switch back" : "switch"));
  DryRun run = For(options.back ? "switch --back" : "switch", record);
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  Phase from = options.back ? Phase::kSwitched : Phase::kActive;
  Phase to = options.back ? Phase::kActive : Phase::kSwitched;
  if (record.phase != from && record.phase != to) {
    return Status::Refused("migration \"" + record.name + "\" is in phase " +
                           PhaseName(record.phase) + "; this runs only while it is " +
                           PhaseName(from) + " (after start, before complete)");
  }
  run.stages.push_back({run.command, options.back ? plan.switch_back : plan.switch_to_new});
  if (plan.live_schema.empty()) {
    run.notes.push_back("no live schema on this engine: only the recorded phase would move");
  }
  if (!options.back) {
    TANDEM_ASSIGN_OR_RETURN(bool verified, PassingVerificationRecorded(record));
    if (!record.backfill_done) {
      run.notes.push_back("would be refused: the backfill has not finished (`tandem backfill`)");
    } else if (!verified) {
      run.notes.push_back(
          "would be refused: no passing full verification since the backfill (`tandem verify`)");
    }
  }
  return run;
}

Result<DryRun> Runner::DryRunComplete() {
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, ReadActive("complete"));
  DryRun run = For("complete", record);
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_RETURN_IF_ERROR(DryRunCompleteOf(record, plan, &run));
  return run;
}

Status Runner::DryRunCompleteOf(const MigrationRecord& record, const plan::Plan& plan,
                                DryRun* run) {
  if (record.phase == Phase::kStarting || record.phase == Phase::kRollingBack) {
    return Status::Refused("migration \"" + record.name + "\" is in phase " +
                           PhaseName(record.phase) + "; run `tandem " +
                           (record.phase == Phase::kStarting ? "start" : "rollback") +
                           "` again to finish it before complete");
  }
  int done = record.phase == Phase::kCompleting ? record.steps_done : 0;
  run->stages.push_back({"complete", Remaining(plan.complete, done)});
  bool needs_backfill = false;
  for (const auto& sync : plan.syncs) needs_backfill = needs_backfill || sync.backfill;
  if (needs_backfill && !record.backfill_done) {
    run->notes.push_back("would be refused: the backfill has not finished (`tandem backfill`)");
    return Status::Ok();
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found, engine_->FindReaders(*conn_, plan));
  if (!found.empty()) {
    run->notes.push_back("would be refused: " + std::to_string(found.size()) +
                         " hidden readers still use what complete drops (`tandem readers`)");
  }
  TANDEM_ASSIGN_OR_RETURN(bool verified, PassingVerificationRecorded(record));
  if (!verified && record.phase != Phase::kCompleting) {
    run->notes.push_back(
        "no passing full verification is recorded: complete would verify every row first and "
        "refuse if a check fails");
  }
  return Status::Ok();
}

Result<std::vector<DryRun>> Runner::DryRunMigrate(const std::vector<plan::Migration>& migrations,
                                                  bool complete_last) {
  std::vector<DryRun> runs;
  for (size_t i = 0; i < migrations.size(); ++i) {
    bool last = i + 1 == migrations.size();
    StartOptions start;
    start.complete = !last || complete_last;
    TANDEM_ASSIGN_OR_RETURN(DryRun run, DryRunStart(migrations[i], start));
    bool pending = !run.stages.empty();
    runs.push_back(std::move(run));
    if (!pending) continue;
    // Each later migration is planned against the schema this one leaves,
    // which only running it makes.
    for (size_t j = i + 1; j < migrations.size(); ++j) {
      DryRun later;
      later.command = "start";
      later.migration = migrations[j].name;
      later.notes.push_back("the file reads cleanly; its steps are planned once \"" +
                            migrations[i].name + "\" has run, against the schema it leaves");
      runs.push_back(std::move(later));
    }
    break;
  }
  return runs;
}

}  // namespace tandem::core
