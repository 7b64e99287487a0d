#include "common/time_window.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace tandem {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

// "HH:MM" -> minutes after midnight; -1 when malformed.
int ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  int hours = 0;
  int minutes = 0;
  auto h = std::from_chars(text.data(), text.data() + 2, hours);
  auto m = std::from_chars(text.data() + 3, text.data() + 5, minutes);
  if (h.ec != std::errc() || h.ptr != text.data() + 2) return -1;
  if (m.ec != std::errc() || m.ptr != text.data() + 5) return -1;
  if (hours > 23 || minutes > 59 || hours < 0 || minutes < 0) return -1;
  return hours * 60 + minutes;
}

}  // namespace

Result<TimeWindow> TimeWindow::Parse(std::string_view text) {
  size_t dash = text.find('-');
  int start = dash == std::string_view::npos ? -1 : ParseClock(text.substr(0, dash));
  int end = dash == std::string_view::npos ? -1 : ParseClock(text.substr(dash + 1));
  if (start < 0 || end < 0) {
    return Status::InvalidInput("invalid time window '" + std::string(text) +
                                "': expected HH:MM-HH:MM in local time, e.g. 22:00-06:00");
  }
  if (start == end) {
    return Status::InvalidInput("time window '" + std::string(text) +
                                "' starts and ends at the same minute, so it never opens; give "
                                "two different times, e.g. 22:00-06:00");
  }
  return TimeWindow(start, end);
}

bool TimeWindow::Contains(int minute_of_day) const {
  if (start_ < end_) return minute_of_day >= start_ && minute_of_day < end_;
  return minute_of_day >= start_ || minute_of_day < end_;
}

int TimeWindow::MinutesUntilOpen(int minute_of_day) const {
  if (Contains(minute_of_day)) return 0;
  return (start_ - minute_of_day + kMinutesPerDay) % kMinutesPerDay;
}

std::string TimeWindow::ToString() const {
  return FormatMinuteOfDay(start_) + "-" + FormatMinuteOfDay(end_);
}

std::string FormatMinuteOfDay(int minute_of_day) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute_of_day / 60) % 24, minute_of_day % 60);
  return buf;
}

int LocalMinuteOfDay() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return local.tm_hour * 60 + local.tm_min;
}

}  // namespace tandem
