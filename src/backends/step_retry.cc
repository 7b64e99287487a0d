#include "backends/step_retry.h"

#include <random>
#include <thread>

#include "common/strings.h"

namespace tandem::backend {

Millis JitteredBackoff(const LockPolicy& policy, int attempt) {
  static thread_local std::mt19937 random{std::random_device{}()};
  long long ceiling = policy.backoff_base.count() << std::min(attempt, 16);
  ceiling = std::min<long long>(ceiling, policy.backoff_cap.count());
  std::uniform_int_distribution<long long> pick(ceiling / 2, std::max(ceiling, 1LL));
  return Millis(pick(random));
}

Result<StepOutcome> RunStepWithRetries(const plan::Step& step, const LockPolicy& policy,
                                       const RetryObserver& observer,
                                       const std::function<Status()>& attempt,
                                       const std::function<std::vector<std::string>()>& blockers) {
  using Clock = std::chrono::steady_clock;
  auto started = Clock::now();
  auto deadline = started + policy.deadline;
  StepOutcome outcome;
  while (true) {
    ++outcome.attempts;
    Status status = attempt();
    if (status.ok()) {
      outcome.duration = std::chrono::duration_cast<Millis>(Clock::now() - started);
      return outcome;
    }
    if (!status.retryable() || status.kind() == ErrorKind::kConnection) return status;
    std::vector<std::string> held_by = blockers();
    if (observer) observer(outcome.attempts, status, held_by);
    Millis wait = JitteredBackoff(policy, outcome.attempts);
    bool out_of_attempts = policy.max_attempts > 0 && outcome.attempts >= policy.max_attempts;
    if (out_of_attempts || Clock::now() + wait > deadline) {
      return Status::Error(
          ErrorKind::kLockTimeout,
          "gave up on \"" + step.description + "\" after " + std::to_string(outcome.attempts) +
              " attempts over " +
              FormatDuration(std::chrono::duration_cast<Millis>(Clock::now() - started)) +
              ": could not take " + plan::LockLevelName(step.lock) + " on " +
              Join(step.tables, ", ") + " within " + FormatDuration(policy.lock_timeout) +
              (held_by.empty() ? "" : "; held by " + Join(held_by, "; ")) +
              ". Nothing of this step was applied; end the blocking transaction or raise "
              "--lock-deadline (or lock.retry_attempts), then run the command again",
          status.native_code(), /*retryable=*/true);
    }
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace tandem::backend
