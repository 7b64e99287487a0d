// When a SQLite writer that finds the write lock taken tries again.
//
// SQLite's busy handler (sqlite3_busy_timeout) does not queue: it sleeps
// 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100, 100, ... ms between tries,
// so a writer that has waited 20 ms tries again only 13 ms later. A
// backfill that leaves the lock free for less than that gap may let a
// waiting writer sleep through it; one that waits longer wastes its time.
#pragma once

#include <algorithm>
#include <array>

#include "common/duration.h"

namespace tandem::backfill {

inline constexpr std::array<long long, 12> kBusyDelays{1,  2,  5,  10, 15, 20,
                                                       25, 25, 25, 50, 50, 100};

// The longest a writer that has been waiting up to `waited` sleeps before
// its next try: the busy handler's delay at that point of its wait.
inline Millis BusyPollGap(Millis waited) {
  const auto& kDelays = kBusyDelays;
  long long elapsed = 0;
  for (long long delay : kDelays) {
    if (waited.count() < elapsed + delay) return Millis(delay);
    elapsed += delay;
  }
  return Millis(kDelays.back());
}

// How long a writer that found the lock taken just as someone took it
// waits, when that someone holds it for `held`: until its first try after
// the lock is free again.
inline Millis BusyPollWait(Millis held) {
  long long elapsed = 0;
  for (size_t i = 0; elapsed < held.count(); ++i) {
    elapsed += kBusyDelays[std::min(i, kBusyDelays.size() - 1)];
  }
  return Millis(elapsed);
}

}  // namespace tandem::backfill
