// Runner: the whole migration's time limit (core/run_deadline.h), which the
// backfill, verification, the observation window and SQLite's chunked
// rebuild obey.
#include "core/run_settings.h"
#include "core/runner.h"

namespace tandem::core {

Result<std::optional<RunDeadline>> Runner::Deadline(const MigrationRecord& record) {
  if (options_.max_runtime) {
    return RunDeadline::Of(record.name, options_.max_runtime, "--max-runtime", record.started_at);
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record, options_.config));
  return RunDeadline::Of(record.name, settings.run_max_runtime, "run.max_runtime",
                         record.started_at);
}

Status Runner::StopAtDeadline(const MigrationRecord& record,
                              const std::optional<RunDeadline>& deadline, Status failed,
                              const std::string& what, const std::string& resume) {
  if (!deadline || !deadline->Passed()) return failed;
  Status stopped = deadline->Stop(what, resume);
  if (conn_ && conn_->Healthy()) {
    TANDEM_RETURN_IF_ERROR(Record(record.id, {.phase = PhaseName(record.phase),
                                              .kind = "max_runtime",
                                              .description = what + " stopped at the time limit",
                                              .outcome = "stopped",
                                              .detail = stopped.message()}));
  }
  return stopped;
}

}  // namespace tandem::core
