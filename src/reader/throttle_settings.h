// The throttle's keys of a migration file's `backfill:` section: the same
// as the backfill's throttle flags, with underscores (README, "Throttling").
// Internal to the reader module.
#pragma once

#include <optional>
#include <string_view>

#include "common/duration.h"
#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

// The duration at `key` (e.g. 500ms, 5s), or nullopt when it is missing or
// not one (the failure is recorded on `map`); 0 only when `zero_ok`.
std::optional<Millis> DurationSetting(const MapReader& map, std::string_view key, bool zero_ok);

// The number at `key`, or nullopt when it is missing or not one (the
// failure is recorded on `map`).
std::optional<double> NumberSetting(const MapReader& map, std::string_view key);

void ReadThrottleSettings(const MapReader& backfill, plan::ThrottleSettings* settings);

}  // namespace tandem::reader
