#include "common/duration.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace tandem {
namespace {

// Longer than any wait tandem would ever be asked for (about 31 years), far
// below what Millis can hold.
constexpr double kMaxMillis = 1e12;

Status Invalid(std::string_view text, const std::string& why) {
  return Status::InvalidInput("invalid duration \"" + std::string(text) + "\": " + why);
}

// Milliseconds in one `unit`, or 0 for an unknown one.
double MillisPerUnit(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m" || unit == "min") return 60 * 1000;
  if (unit == "h") return 3600 * 1000;
  return 0;
}

}  // namespace

Result<Millis> ParseDuration(std::string_view text) {
  // Zero is zero in every unit; "--max-replica-lag 0" turns a throttle off.
  if (text == "0") return Millis(0);
  double total = 0;
  std::string_view rest = text;
  do {
    size_t number_size = rest.find_first_not_of("0123456789.");
    std::string_view number = rest.substr(0, number_size);
    double value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || ptr != number.data() + number.size()) {
      return Invalid(text, "expected a number with a unit, e.g. 500ms, 2s, 10m or 1h30m");
    }
    rest.remove_prefix(number.size());
    std::string_view unit = rest.substr(0, rest.find_first_of("0123456789."));
    if (unit.empty()) {
      return Invalid(text, "give a unit, e.g. " + std::string(text) + "s or 500ms");
    }
    double per_unit = MillisPerUnit(unit);
    if (per_unit == 0) {
      return Invalid(text, "unknown unit \"" + std::string(unit) + "\"; use ms, s, m or h");
    }
    rest.remove_prefix(unit.size());
    total += value * per_unit;
  } while (!rest.empty());
  if (total > kMaxMillis) return Invalid(text, "too long; give at most a few years");
  return Millis(std::llround(total));
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
