// When high-risk steps may run: weekly windows ("Mon-Fri 09:00-17:00") and
// freeze periods ("2026-12-20..2027-01-04", whole days), all in UTC. A
// moment is allowed when it lies in no freeze and, if any window is given,
// in one of them. Pure: the caller passes the moment.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem {

// A weekly window: days of the week (0 = Sunday) and a daily time range
// that may cross midnight (then it belongs to the day it starts on).
struct WeeklyWindow {
  bool days[7] = {};
  int start_minute = 0;
  int end_minute = 0;
};

// A freeze: from the start of `first` to the end of `last` (UTC days).
struct Freeze {
  std::time_t begins = 0;
  std::time_t ends = 0;  // exclusive
  std::string text;
};

// "Mon-Fri 09:00-17:00", "Sat,Sun 00:00-06:00", "daily 22:00-02:00".
Result<WeeklyWindow> ParseWeeklyWindow(std::string_view text);
// "2026-12-20..2027-01-04" or one day "2026-12-24".
Result<Freeze> ParseFreeze(std::string_view text);

// What a schedule says about a moment.
struct ScheduleVerdict {
  bool allowed = true;
  std::string why;  // when refused: the freeze or "outside every window"
  // When refused: the next allowed moment within a year, as RFC 3339 text;
  // empty when none is found.
  std::string next_allowed;
};

// Kind kInvalidInput when a window or freeze does not parse.
Result<ScheduleVerdict> CheckSchedule(const std::vector<std::string>& windows,
                                      const std::vector<std::string>& freezes, std::time_t now);

// "2026-12-07T15:04:00Z"
std::string FormatUtc(std::time_t at);

}  // namespace tandem
