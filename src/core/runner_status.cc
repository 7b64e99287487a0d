// Runner: what `status` and `history` show, from the state store and the
// backfill's own records, from any process.
#include "core/run_settings.h"
#include "core/runner.h"
#include "plan/plan_json.h"

namespace tandem::core {

// status and history only look: where tandem never ran there is nothing to
// show, and no state tables are created for it. Where they exist, Init
// brings an older set up to date, as every command does.
Result<bool> Runner::OpenRecords() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_ASSIGN_OR_RETURN(bool exists, state_->Exists());
  if (exists) TANDEM_RETURN_IF_ERROR(state_->Init());
  return exists;
}

Result<StatusReport> Runner::GetStatus() {
  StatusReport report;
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  if (!recorded) return report;
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
    if (!plan.live_schema.empty()) {
      // Until complete's switch step commits, the live schema shows what the
      // last switch (or switch back) left it showing.
      TANDEM_ASSIGN_OR_RETURN(std::optional<RecordedEvent> last_switch,
                              state_->LastEvent(report.active->id, "switch"));
      bool shows_new = report.active->phase == Phase::kSwitched ||
                       (report.active->phase == Phase::kCompleting && last_switch &&
                        last_switch->event.detail == "new");
      report.live_schema = plan.live_schema;
      report.live_source = shows_new ? plan.version_schema : plan.schema;
      report.live_version = shows_new ? "new" : "old";
    }
    for (const auto& view : plan.views) {
      if (!view.access.empty()) report.new_version_access.emplace_back(view.name, view.access);
    }
    TANDEM_ASSIGN_OR_RETURN(
        report.backfill, engine_->ReadProgress(*conn_, {options_.state_schema, report.active->id}));
    TANDEM_RETURN_IF_ERROR(ReadWindow(*report.active, report));
    TANDEM_RETURN_IF_ERROR(ReadEventTotals(*report.active, report));
  } else if (report.last_completed) {
    report.version_schema = report.last_completed->version_schema;
    TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, plan::PlanFromJson(report.last_completed->plan_json));
    if (!plan.live_schema.empty()) {
      report.live_schema = plan.live_schema;
      report.live_source = plan.schema;
      report.live_version = "final";
    }
  }
  return report;
}

Status Runner::ReadEventTotals(const MigrationRecord& record, StatusReport& report) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record, options_.config));
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(record.id));
  report.alerts = AlertStates(AlertThresholds(settings), events);
  report.totals = TotalsOf(events);
  return Status::Ok();
}

Result<std::vector<MigrationRecord>> Runner::History() {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  if (!recorded) return std::vector<MigrationRecord>{};
  return state_->History(options_.schema);
}

}  // namespace tandem::core
