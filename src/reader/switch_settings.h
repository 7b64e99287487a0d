// The keys of a migration file's `switch:` section: the read switch's
// observation window, its thresholds and probes, and the flag ramp (README,
// "The read switch"). Internal to the reader module.
#pragma once

#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

void ReadSwitchSettings(const MapReader& section, plan::SwitchSettings* settings);

}  // namespace tandem::reader
