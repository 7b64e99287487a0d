#include "common/schedule.h"

#include <array>
#include <charconv>
#include <cstdio>

#include "common/strings.h"

namespace tandem {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::time_t kSecondsPerDay = 24 * 60 * 60;
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

int DayIndex(std::string_view name) {
  std::string lower = ToLower(std::string(name));
  for (size_t i = 0; i < kDayNames.size(); ++i) {
    if (lower.substr(0, 3) == kDayNames[i] && lower.size() >= 3) return static_cast<int>(i);
  }
  return -1;
}

int ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  int hours = -1;
  int minutes = -1;
  auto h = std::from_chars(text.data(), text.data() + 2, hours);
  auto m = std::from_chars(text.data() + 3, text.data() + 5, minutes);
  if (h.ptr != text.data() + 2 || m.ptr != text.data() + 5) return -1;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return -1;
  return hours * 60 + minutes;
}

// Marks the days of "Mon-Fri", "Sat,Sun", "daily"; false when malformed.
bool ParseDays(std::string_view text, WeeklyWindow* window) {
  if (ToLower(std::string(text)) == "daily") {
    for (bool& day : window->days) day = true;
    return true;
  }
  for (const std::string& part : Split(text, ',')) {
    size_t dash = part.find('-');
    int first = DayIndex(Trim(part.substr(0, dash)));
    int last = dash == std::string::npos ? first : DayIndex(Trim(part.substr(dash + 1)));
    if (first < 0 || last < 0) return false;
    for (int d = first;; d = (d + 1) % 7) {
      window->days[d] = true;
      if (d == last) break;
    }
  }
  return true;
}

// Seconds since the epoch of 00:00 UTC on "YYYY-MM-DD"; nullopt if malformed.
std::optional<std::time_t> ParseDay(std::string_view text) {
  int year = 0, month = 0, day = 0;
  char tail = 0;
  std::string copy(text);
  if (copy.size() != 10 ||
      std::sscanf(copy.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  std::time_t at = timegm(&tm);
  std::tm back{};
  gmtime_r(&at, &back);
  if (back.tm_mday != day) return std::nullopt;  // 2026-02-30
  return at;
}

bool InWindow(const WeeklyWindow& w, std::time_t at) {
  std::tm tm{};
  gmtime_r(&at, &tm);
  int minute = tm.tm_hour * 60 + tm.tm_min;
  int today = tm.tm_wday;
  int yesterday = (today + 6) % 7;
  if (w.start_minute < w.end_minute) {
    return w.days[today] && minute >= w.start_minute && minute < w.end_minute;
  }
  // Crosses midnight: the evening of a listed day, or the morning after one.
  return (w.days[today] && minute >= w.start_minute) ||
         (w.days[yesterday] && minute < w.end_minute);
}

}  // namespace

Result<WeeklyWindow> ParseWeeklyWindow(std::string_view text) {
  std::string trimmed = Trim(text);
  size_t space = trimmed.rfind(' ');
  WeeklyWindow window;
  auto invalid = [&] {
    return Status::InvalidInput("invalid weekly window \"" + std::string(text) +
                                "\": expected DAYS HH:MM-HH:MM in UTC, e.g. \"Mon-Fri "
                                "09:00-17:00\", \"Sat,Sun 00:00-06:00\" or \"daily 22:00-02:00\"");
  };
  if (space == std::string::npos) return invalid();
  std::string range = trimmed.substr(space + 1);
  size_t dash = range.find('-');
  if (dash == std::string::npos || !ParseDays(Trim(trimmed.substr(0, space)), &window)) {
    return invalid();
  }
  window.start_minute = ParseClock(range.substr(0, dash));
  window.end_minute = ParseClock(range.substr(dash + 1));
  if (window.start_minute < 0 || window.end_minute < 0) return invalid();
  if (window.start_minute == window.end_minute) {
    return Status::InvalidInput("weekly window \"" + std::string(text) +
                                "\" starts and ends at the same minute, so it never opens");
  }
  return window;
}

Result<Freeze> ParseFreeze(std::string_view text) {
  std::string trimmed = Trim(text);
  size_t dots = trimmed.find("..");
  std::optional<std::time_t> first = ParseDay(trimmed.substr(0, dots));
  std::optional<std::time_t> last =
      dots == std::string::npos ? first : ParseDay(trimmed.substr(dots + 2));
  if (!first || !last) {
    return Status::InvalidInput("invalid freeze \"" + std::string(text) +
                                "\": expected FIRST..LAST as UTC dates, e.g. "
                                "\"2026-12-20..2027-01-04\", or one date");
  }
  if (*last < *first) {
    return Status::InvalidInput("freeze \"" + std::string(text) +
                                "\" ends before it begins; write the earlier date first");
  }
  return Freeze{*first, *last + kSecondsPerDay, trimmed};
}

Result<ScheduleVerdict> CheckSchedule(const std::vector<std::string>& windows,
                                      const std::vector<std::string>& freezes, std::time_t now) {
  std::vector<WeeklyWindow> parsed_windows;
  for (const auto& w : windows) {
    TANDEM_ASSIGN_OR_RETURN(WeeklyWindow window, ParseWeeklyWindow(w));
    parsed_windows.push_back(window);
  }
  std::vector<Freeze> parsed_freezes;
  for (const auto& f : freezes) {
    TANDEM_ASSIGN_OR_RETURN(Freeze freeze, ParseFreeze(f));
    parsed_freezes.push_back(freeze);
  }
  // Why `at` is refused; empty when allowed.
  auto refusal = [&](std::time_t at) -> std::string {
    for (const auto& f : parsed_freezes) {
      if (at >= f.begins && at < f.ends) return "inside the freeze " + f.text;
    }
    if (parsed_windows.empty()) return "";
    for (const auto& w : parsed_windows) {
      if (InWindow(w, at)) return "";
    }
    return "outside every allowed window (" + Join(windows, ", ") + ", UTC)";
  };
  ScheduleVerdict verdict;
  verdict.why = refusal(now);
  verdict.allowed = verdict.why.empty();
  if (verdict.allowed) return verdict;
  // Minute by minute is at most ~525600 checks of a few windows: cheap,
  // and simpler to trust than arithmetic over windows and freezes.
  std::time_t start = now - now % 60 + 60;
  for (std::time_t at = start; at < now + 366 * kSecondsPerDay; at += 60) {
    if (refusal(at).empty()) {
      verdict.next_allowed = FormatUtc(at);
      break;
    }
  }
  return verdict;
}

std::string FormatUtc(std::time_t at) {
  std::tm tm{};
  gmtime_r(&at, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace tandem
