// Runner: what the records and the database say against each other: which
// rollback steps are the migration's own, and contradictions between them.
#include "common/log.h"
#include "common/strings.h"
#include "core/runner.h"
#include "core/state_check.h"
#include "plan/plan_json.h"

namespace tandem::core {

Result<std::vector<plan::Step>> Runner::OwnRollbackSteps(const MigrationRecord& record,
                                                         const plan::Plan& plan) {
  // From the event log rather than steps_done, which the rollback's own
  // progress replaces: the same steps when a rollback is resumed.
  TANDEM_ASSIGN_OR_RETURN(std::set<std::string> expanded,
                          state_->StepsRun(record.id, kExpand.name));
  TANDEM_ASSIGN_OR_RETURN(std::set<std::string> failed,
                          state_->StepsRun(record.id, kExpand.name, "failed"));
  // Expand runs its steps in order, so only the first one without an `ok`
  // can have left objects behind: its DDL commits before its event is
  // written (a runner killed in between leaves no event at all), and a
  // failed concurrent index build leaves an INVALID index. A step that
  // failed as one transaction left nothing.
  int in_flight = -1;
  for (int i = 0; i < static_cast<int>(plan.expand.size()); ++i) {
    const plan::Step& step = plan.expand[i];
    if (expanded.count(step.description) > 0) continue;
    if (step.concurrent || failed.count(step.description) == 0) in_flight = i;
    break;
  }
  std::vector<plan::Step> own;
  for (const auto& step : plan.rollback) {
    int undoes = step.undoes_expand_step;
    bool ran = undoes < 0 || undoes == in_flight ||
               (undoes < static_cast<int>(plan.expand.size()) &&
                expanded.count(plan.expand[undoes].description) > 0);
    if (ran) {
      own.push_back(step);
    } else {
      spdlog::debug("rollback skips \"{}\": its expand step never ran", step.description);
    }
  }
  return own;
}

Result<std::optional<MigrationRecord>> Runner::LastCompleted() {
  TANDEM_ASSIGN_OR_RETURN(std::vector<MigrationRecord> history, state_->History(options_.schema));
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->phase == Phase::kCompleted) return std::optional<MigrationRecord>(*it);
  }
  return std::optional<MigrationRecord>();
}

Result<std::vector<std::string>> Runner::StateContradictions(
    const std::optional<MigrationRecord>& newest) {
  if (!newest) return std::vector<std::string>();
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, plan::PlanFromJson(newest->plan_json));
  return Contradictions(database_, *conn_, *newest, plan, options_.state_schema);
}

Status Runner::RefuseContradictions() {
  TANDEM_ASSIGN_OR_RETURN(bool has_state, state_->Exists());
  if (!has_state) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> newest, state_->Active(options_.schema));
  if (!newest) {
    TANDEM_ASSIGN_OR_RETURN(newest, LastCompleted());
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> found, StateContradictions(newest));
  if (found.empty()) return Status::Ok();
  return Status::Refused("tandem's records contradict the database: " + Join(found, "; "));
}

}  // namespace tandem::core
