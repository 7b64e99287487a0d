// The retry loop every engine runs a planned step under: one attempt at a
// time, each waiting for its lock no longer than the policy's lock_timeout,
// retried with jittered exponential backoff until the policy's deadline.
#pragma once

#include <functional>
#include <string>

#include "backends/backend.h"

namespace tandem::backend {

// Full-jitter exponential backoff: uniform in [ceiling/2, ceiling], ceiling =
// min(cap, base * 2^attempt).
Millis JitteredBackoff(const LockPolicy& policy, int attempt);

// Runs `attempt` until it succeeds, fails with a non-retryable error, or the
// deadline passes (then kLockTimeout naming the step, its tables and
// `blockers()`, the engine's description of each session that held the lock).
Result<StepOutcome> RunStepWithRetries(const plan::Step& step, const LockPolicy& policy,
                                       const RetryObserver& observer,
                                       const std::function<Status()>& attempt,
                                       const std::function<std::vector<std::string>()>& blockers);

}  // namespace tandem::backend
