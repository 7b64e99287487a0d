// A change to a running backfill's throttle, as the control API takes it
// and as the event log keeps it: a JSON object such as
//   {"max_rows_per_second": 500, "max_replica_lag": "10s"}
// Each change is recorded as an event of kind "throttle_change" holding
// every setting changed so far; the backfill reads the newest one with its
// pause flag (once a second) and applies it (backfill::Throttle::Apply),
// in this run and the migration's later ones, over the file and the flags.
#pragma once

#include <string>

#include "common/status.h"
#include "throttle/throttle.h"

namespace tandem::core {

inline constexpr char kThrottleChangeKind[] = "throttle_change";

// kInvalidInput naming the key and what it takes, for anything but an
// object of the keys above with valid values (at least one of them).
Result<backfill::ThrottleChange> ParseThrottleChange(const std::string& json);
std::string ThrottleChangeJson(const backfill::ThrottleChange& change);
// `later` over `earlier`, key by key.
backfill::ThrottleChange MergeThrottleChanges(const backfill::ThrottleChange& earlier,
                                              const backfill::ThrottleChange& later);

}  // namespace tandem::core
