#include "throttle/rate_cap.h"

#include <algorithm>
#include <cmath>

namespace tandem::backfill {

RateCap::RateCap(double rows_per_second, TimePoint start)
    : rate_(rows_per_second), tokens_(rows_per_second), last_(start) {}

void RateCap::Refill(TimePoint now) {
  if (now <= last_) return;
  double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(rate_, tokens_ + seconds * rate_);  // the burst is one second's worth
  last_ = now;
}

void RateCap::Consume(long long rows, TimePoint now) {
  Refill(now);
  tokens_ -= static_cast<double>(rows);
}

Millis RateCap::WaitFor(TimePoint now) {
  Refill(now);
  if (tokens_ >= 0) return Millis(0);
  return Millis(static_cast<long long>(std::ceil(-tokens_ / rate_ * 1000.0)));
}

}  // namespace tandem::backfill
