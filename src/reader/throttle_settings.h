// The throttle's keys of a migration file's `backfill:` section: the same
// as the backfill's throttle flags, with underscores (README, "Throttling").
// Internal to the reader module.
#pragma once

#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

void ReadThrottleSettings(const MapReader& backfill, plan::ThrottleSettings* settings);

}  // namespace tandem::reader
