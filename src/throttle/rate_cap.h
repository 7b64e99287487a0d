// A token bucket over rows: allows `rows_per_second` on average, with a burst
// of one second's worth. A chunk larger than the bucket is allowed and
// repaid by waiting, so the average holds whatever the chunk size.
#pragma once

#include <chrono>

#include "common/duration.h"

namespace tandem::backfill {

class RateCap {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  RateCap(double rows_per_second, TimePoint start);
  void Consume(long long rows, TimePoint now);
  // How long until the next chunk may start; zero when it may start now.
  Millis WaitFor(TimePoint now);
  double rows_per_second() const { return rate_; }

 private:
  void Refill(TimePoint now);

  double rate_;
  double tokens_;  // rows that may be done now; negative after a large chunk
  TimePoint last_;
};

}  // namespace tandem::backfill
