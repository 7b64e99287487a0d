// Totals over a migration's event log that status, /metrics and the report
// share: time the throttles held the backfill by kind of reason, DDL steps
// retried (each retry was a lock wait that timed out or a busy database),
// and hook calls that failed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/state_store.h"

namespace tandem::core {

// "replica lag 2.1s > 1s on standby a" -> "replica lag": the reason
// without its figures, a label with few values.
std::string ThrottleReasonKind(const std::string& reason);

struct EventTotals {
  std::map<std::string, double> throttle_seconds;  // by ThrottleReasonKind
  // Attempts of DDL steps that waited for a lock past the lock timeout (or
  // found the database busy) and were tried again, by phase.
  std::map<std::string, long long> step_retries;
  long long hook_failures = 0;
};

EventTotals TotalsOf(const std::vector<RecordedEvent>& events);

}  // namespace tandem::core
