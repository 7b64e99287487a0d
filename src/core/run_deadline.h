// The whole migration's time limit: `run.max_runtime` of the settings, or
// `--max-runtime` over it, measured from the migration's recorded start
// (not from the command that is running). Once it has passed, the long
// steps (the backfill, a verification pass, the observation window,
// SQLite's chunked online rebuild in complete) stop between chunks or
// samples (a rollback never does), leaving the migration in its recorded,
// resumable phase.
//
// Distinct from the backfill's own limit (`backfill.max_runtime`,
// `--backfill-max-runtime`), which counts from the start of one backfill
// run. A value type; thread-safe to read.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/duration.h"
#include "common/status.h"

namespace tandem::core {

class RunDeadline {
 public:
  using Clock = std::chrono::system_clock;

  // `source` names where the limit came from ("--max-runtime",
  // "run.max_runtime"); `started_at` is the migration's recorded start as
  // the database printed it. nullopt when there is no limit; kInternal
  // when the start cannot be read.
  static Result<std::optional<RunDeadline>> Of(const std::string& migration,
                                               std::optional<Millis> limit, std::string source,
                                               const std::string& started_at);

  bool Passed(Clock::time_point now = Clock::now()) const { return now >= at_; }
  // steady_clock's time of the deadline, for loops that sleep on it.
  std::chrono::steady_clock::time_point SteadyAt() const;
  // "run.max_runtime 2h of migration \"m\" (started 2026-...Z) has passed".
  std::string Reason() const;
  // kInterrupted: `what` stopped, why, that the work done is kept, and
  // `resume` (a command) with a longer limit.
  Status Stop(const std::string& what, const std::string& resume) const;

 private:
  RunDeadline(std::string migration, Millis limit, std::string source, std::string started,
              Clock::time_point at)
      : migration_(std::move(migration)),
        limit_(limit),
        source_(std::move(source)),
        started_(std::move(started)),
        at_(at) {}

  std::string migration_;
  Millis limit_;
  std::string source_;
  std::string started_;  // RFC 3339
  Clock::time_point at_;
};

}  // namespace tandem::core
