#include "core/run_deadline.h"

#include "common/rfc3339.h"

namespace tandem::core {

Result<std::optional<RunDeadline>> RunDeadline::Of(const std::string& migration,
                                                   std::optional<Millis> limit, std::string source,
                                                   const std::string& started_at) {
  if (!limit) return std::optional<RunDeadline>();
  std::optional<std::time_t> started = ParseTimestamp(started_at);
  if (!started) {
    return Status::Error(ErrorKind::kInternal,
                         "the recorded start of migration \"" + migration + "\" (\"" + started_at +
                             "\") is no timestamp, so " + source +
                             " cannot be measured; check tandem's state table of migrations");
  }
  Clock::time_point at = Clock::from_time_t(*started) + *limit;
  return std::optional<RunDeadline>(RunDeadline(
      migration, *limit, std::move(source), DatabaseTimeToRfc3339(started_at).value_or(""), at));
}

std::chrono::steady_clock::time_point RunDeadline::SteadyAt() const {
  auto left = at_ - Clock::now();
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
}

std::string RunDeadline::Reason() const {
  return source_ + " " + FormatDuration(limit_) + " of migration \"" + migration_ + "\" (started " +
         started_ + ") has passed";
}

Status RunDeadline::Stop(const std::string& what, const std::string& resume) const {
  return Status::Error(ErrorKind::kInterrupted,
                       what + " stopped: " + Reason() +
                           ". The work done so far is kept and the migration stays in its "
                           "recorded phase; to go on, run `" +
                           resume + " --max-runtime D` with D longer than " +
                           FormatDuration(limit_) +
                           " (once started, the flag is the way to change it: the setting is "
                           "read from the file as it was at start)");
}

}  // namespace tandem::core
