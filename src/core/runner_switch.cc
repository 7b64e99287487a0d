// Runner: the read switch. `switch` points the live schema at the new
// version and `switch --back` at the old one, each in one short
// transaction (the plan's switch_to_new and switch_back steps, run with
// the lock timeout and retries of every DDL step). Dual-write stays on
// the whole time, so the old version's columns hold every write the new
// version makes, and flipping back loses nothing.
#include <chrono>

#include "core/runner.h"

namespace tandem::core {
namespace {

Millis Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
}

// Ok when `record` is in `from`, the phase the move starts from. Also ok,
// with a note, when it is in `to` already: the step then runs again, which
// repairs a move interrupted between its step and its record (the steps
// are idempotent). kRefused, naming the phase, otherwise.
Status CheckSwitchPhase(const MigrationRecord& record, Phase from, Phase to,
                        const std::string& shows, Reporter& reporter) {
  if (record.phase == to) {
    reporter.Note("migration \"" + record.name + "\" is " + PhaseName(to) +
                  " already; the live schema is pointed at the " + shows + " version again");
    return Status::Ok();
  }
  if (record.phase == from) return Status::Ok();
  return Status::Refused("migration \"" + record.name + "\" is in phase " +
                         PhaseName(record.phase) + "; this runs only while it is " +
                         PhaseName(from) + " (after start, before complete)");
}

}  // namespace

Status Runner::Switch(const SwitchOptions& options) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(AcquireRunnerLock());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record,
                          RequireActive(options.back ? "switch back" : "switch"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  if (plan.live_schema.empty() && engine_->capabilities().live_schema) {
    return Status::Refused("migration \"" + record.name +
                           "\" was started by a tandem without the read switch, so it has no "
                           "live schema to repoint; run `tandem complete` (switch and contract in "
                           "one go), or `tandem rollback` and start it again");
  }
  if (options.back) return SwitchBack(record, plan);
  TANDEM_RETURN_IF_ERROR(
      CheckSwitchPhase(record, Phase::kActive, Phase::kSwitched, "new", reporter_));
  TANDEM_RETURN_IF_ERROR(RefuseUnfinishedBackfill(
      record, plan,
      "switching now would show the application new columns that do not hold every row yet"));
  TANDEM_ASSIGN_OR_RETURN(bool verified, PassingVerificationRecorded(record));
  if (!verified) {
    return Status::Refused(
        "no passing full verification of \"" + record.name +
        "\" is recorded since its backfill finished, so nothing shows yet that the new version "
        "reads what the old one wrote. Run `tandem verify`, then `tandem switch`");
  }
  TANDEM_RETURN_IF_ERROR(
      Govern(record, plan, "switch", options.approval, gates::Transition::kSwitch));
  // The baseline comes before the switch, and a probe that cannot measure
  // refuses it while nothing has changed.
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<observe::Window> window,
                          PrepareWindow(record, plan, options));
  TANDEM_RETURN_IF_ERROR(KeepStatementCounts(record, "switch"));
  TANDEM_RETURN_IF_ERROR(PointLive(record, plan, plan.switch_to_new, Phase::kSwitched, "switch"));
  if (!window) return Status::Ok();
  return Observe(record, plan, *window, options);
}

Status Runner::SwitchBack(MigrationRecord& record, const plan::Plan& plan) {
  TANDEM_RETURN_IF_ERROR(
      CheckSwitchPhase(record, Phase::kSwitched, Phase::kActive, "old", reporter_));
  TANDEM_RETURN_IF_ERROR(PointLive(record, plan, plan.switch_back, Phase::kActive, "switch back"));
  return ResetRamp(record);
}

Status Runner::PointLive(MigrationRecord& record, const plan::Plan& plan,
                         const std::vector<plan::Step>& steps, Phase to, const std::string& name) {
  auto started = std::chrono::steady_clock::now();
  reporter_.PhaseStarted(name, record.name);
  // Not RunSteps: it skips steps the event log says ran, and a migration
  // may be switched and switched back any number of times.
  for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
    Status status = RunStep(record, name, steps, i, plan.schema);
    if (!status.ok()) {
      return status.WithContext(
          name + " of \"" + record.name + "\" did not happen; the migration " + "stays in phase " +
          PhaseName(record.phase) + ". Fix the cause and run the command again");
    }
  }
  if (record.phase != to) TANDEM_RETURN_IF_ERROR(MoveTo(record, to));
  // Of kind "switch", so that `status` knows what the live schema shows
  // after complete began (the phase then no longer says).
  TANDEM_RETURN_IF_ERROR(
      Record(record.id, {.phase = name,
                         .kind = "switch",
                         .description = name + " finished",
                         .duration_ms = static_cast<double>(Since(started).count()),
                         .outcome = "ok",
                         .detail = to == Phase::kSwitched ? "new" : "old"}));
  if (!plan.live_schema.empty()) {
    reporter_.Note("live schema " + plan.live_schema + " now shows the " +
                   (to == Phase::kSwitched ? "new version (" + plan.version_schema + ")"
                                           : "old version (" + plan.schema + ")"));
  }
  reporter_.PhaseFinished(name, record.name, Since(started));
  return Status::Ok();
}

}  // namespace tandem::core
