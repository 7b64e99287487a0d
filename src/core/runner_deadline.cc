// Runner: the whole migration's time limit (core/run_deadline.h), which the
// backfill, verification, the observation window and SQLite's chunked
// rebuild obey.
#include "core/run_settings.h"
#include "core/runner.h"

namespace tandem::core {

Result<std::optional<RunDeadline>> Runner::Deadline(const MigrationRecord& record) {
  // A rehearsal times the whole lifecycle on its copy; the limit is the
  // real migration's.
  if (options_.rehearsal) return std::optional<RunDeadline>();
  // An overrun is when the way back is wanted most: a rollback runs to its
  // end whatever the limit says.
  if (record.phase == Phase::kRollingBack) return std::optional<RunDeadline>();
  std::optional<Millis> limit = options_.max_runtime;
  std::string source = "--max-runtime";
  if (!limit) {
    TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record, options_.config));
    limit = settings.run_max_runtime;
    source = "run.max_runtime";
  }
  if (!limit) return std::optional<RunDeadline>();
  // A record start just made holds no start time yet: the database set it.
  std::string started_at = record.started_at;
  if (started_at.empty()) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> stored, state_->Find(record.id));
    if (stored) started_at = stored->started_at;
  }
  return RunDeadline::Of(record.name, limit, source, started_at);
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
