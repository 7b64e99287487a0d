#include "common/duration.h"

#include <charconv>
#include <cstdio>

namespace tandem {

Result<Millis> ParseDuration(std::string_view text) {
  long long value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || value < 0) {
    return Status::InvalidInput("invalid duration '" + std::string(text) +
                                "': expected a number with a unit, e.g. 500ms, 2s, 10m, 1h");
  }
  std::string_view unit(ptr, end - ptr);
  if (unit.empty() || unit == "ms") return Millis(value);
  if (unit == "s") return Millis(value * 1000);
  if (unit == "m" || unit == "min") return Millis(value * 60 * 1000);
  if (unit == "h") return Millis(value * 3600 * 1000);
  return Status::InvalidInput("invalid duration unit '" + std::string(unit) + "' in '" +
                              std::string(text) + "': use ms, s, m or h");
}

std::string FormatDuration(Millis duration) {
  long long ms = duration.count();
  char buf[64];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", ms);
  } else if (ms < 60 * 1000) {
    std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(ms) / 1000.0);
  } else {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", ms / 60000, (ms / 1000) % 60);
  }
  return buf;
}

}  // namespace tandem
