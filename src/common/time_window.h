// A daily time window such as "22:00-06:00", in local wall-clock time, that
// may cross midnight. The backfill runs only inside it.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tandem {

class TimeWindow {
 public:
  // Parses "HH:MM-HH:MM" (24-hour clock). Start and end must differ: an
  // empty window would never open.
  static Result<TimeWindow> Parse(std::string_view text);

  // Whether `minute_of_day` (0..1439) lies in [start, end), wrapping past
  // midnight when end < start.
  bool Contains(int minute_of_day) const;
  // Minutes from `minute_of_day` until the window next opens; 0 inside it.
  int MinutesUntilOpen(int minute_of_day) const;
  int start() const { return start_; }
  int end() const { return end_; }
  // "22:00-06:00"
  std::string ToString() const;

 private:
  TimeWindow(int start, int end) : start_(start), end_(end) {}
  int start_;  // minutes after midnight
  int end_;
};

// "06:05" for minute 365.
std::string FormatMinuteOfDay(int minute_of_day);
// The local minute of the day now (0..1439).
int LocalMinuteOfDay();

}  // namespace tandem
