#include "reader/throttle_settings.h"

#include <cstdint>
#include <cstdlib>

#include "common/duration.h"
#include "common/time_window.h"

namespace tandem::reader {

std::optional<Millis> DurationSetting(const MapReader& map, std::string_view key, bool zero_ok) {
  if (!map.Has(key)) return std::nullopt;
  std::string text = map.String(key);
  auto duration = ParseDuration(text);
  if (!duration.ok()) {
    map.Fail(key, duration.status().message());
    return std::nullopt;
  }
  if (!zero_ok && duration->count() == 0) {
    map.Fail(key, "expected a duration above 0 such as 500ms, 5s, 10m or 2h, got \"" + text + "\"");
    return std::nullopt;
  }
  return *duration;
}

namespace {

std::optional<int> CountSetting(const MapReader& map, std::string_view key) {
  std::optional<int64_t> count = map.Int(key);
  if (count && (*count < 0 || *count > INT32_MAX)) {
    map.Fail(key, "expected a count of 0 or more, e.g. 20");
    return std::nullopt;
  }
  return count ? std::optional<int>(static_cast<int>(*count)) : std::nullopt;
}

}  // namespace

std::optional<double> NumberSetting(const MapReader& map, std::string_view key) {
  if (!map.Has(key)) return std::nullopt;
  std::string text = map.String(key);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') {
    map.Fail(key, "expected a number, got \"" + text + "\"");
    return std::nullopt;
  }
  return value;
}

void ReadThrottleSettings(const MapReader& backfill, plan::ThrottleSettings* t) {
  t->max_replica_lag = DurationSetting(backfill, "max_replica_lag", /*zero_ok=*/true);
  t->max_runtime = DurationSetting(backfill, "max_runtime", /*zero_ok=*/false);
  t->replicas = backfill.StringList("replicas");
  t->max_active_sessions = CountSetting(backfill, "max_active_sessions");
  t->max_lock_waiters = CountSetting(backfill, "max_lock_waiters");
  t->throttle_query = backfill.String("throttle_query");
  t->throttle_above = NumberSetting(backfill, "throttle_above");
  if (t->throttle_query.empty() != !t->throttle_above) {
    backfill.Fail(t->throttle_above ? "throttle_above" : "throttle_query",
                  "throttle_query and throttle_above go together: the backfill waits while the "
                  "query's single number is above throttle_above");
  }
  t->max_rows_per_second = NumberSetting(backfill, "max_rows_per_second");
  if (t->max_rows_per_second && !(*t->max_rows_per_second > 0)) {
    backfill.Fail("max_rows_per_second", "must be above 0, e.g. 5000");
  }
  t->window = backfill.String("window");
  if (auto window = TimeWindow::Parse(t->window); !t->window.empty() && !window.ok()) {
    backfill.Fail("window", window.status().message());
  }
}

}  // namespace tandem::reader
