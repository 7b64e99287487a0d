// How many workers may work at once. Throttle decisions take one worker
// away (at most one per `step_down_every`, down to one); once no throttle
// decision has come for `scale_up_after`, one comes back per that interval,
// up to the configured concurrency. Pure: time is passed in, so tests need
// no clock. Not thread-safe; the coordinator guards it.
#pragma once

#include <algorithm>
#include <chrono>

#include "backfill/types.h"

namespace tandem::backfill {

class Governor {
 public:
  using Time = std::chrono::steady_clock::time_point;

  Governor(int max_workers, Millis scale_up_after, Millis step_down_every = Millis(1000))
      : max_(std::max(1, max_workers)),
        limit_(max_),
        scale_up_after_(scale_up_after),
        step_down_every_(step_down_every) {}

  int limit() const { return limit_; }

  void Observe(Control control, Time now) {
    if (control == Control::kThrottle) {
      last_throttle_ = now;
      if (limit_ > 1 && now - last_change_ >= step_down_every_) {
        limit_ -= 1;
        last_change_ = now;
      }
    } else if (control == Control::kContinue && limit_ < max_ &&
               now - last_throttle_ >= scale_up_after_ && now - last_change_ >= scale_up_after_) {
      limit_ += 1;
      last_change_ = now;
    }
  }

 private:
  int max_;
  int limit_;
  Millis scale_up_after_;
  Millis step_down_every_;
  Time last_throttle_{};
  Time last_change_{};
};

}  // namespace tandem::backfill
