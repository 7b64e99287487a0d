// The wait before retrying a chunk after a retryable error, shared by the
// PostgreSQL workers and the SQLite backfill.
#pragma once

#include <thread>

#include "backends/step_retry.h"
#include "backfill/types.h"

namespace tandem::backfill {

// Jittered and exponential from options.backoff_base, at most 1024 times it.
inline void SleepBeforeRetry(const Options& options, int attempt) {
  backend::LockPolicy policy;
  policy.backoff_base = options.backoff_base;
  policy.backoff_cap = options.backoff_base * 1024;
  std::this_thread::sleep_for(backend::JitteredBackoff(policy, attempt));
}

}  // namespace tandem::backfill
