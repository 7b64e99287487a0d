// tandem's sections about people and time: `governance:` (what the gates
// of each transition ask for), `owners:` (who is responsible, where to
// tell them) and `schedule:` (when high-risk steps may run). README,
// "Gates, sign-offs and approvals". Internal to the reader module.
#pragma once

#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

// The keys these sections add to the top level of a migration file.
inline constexpr std::string_view kGovernanceSections[] = {"governance", "owners", "schedule"};

void ReadGovernanceSections(const MapReader& top, plan::Settings* settings);

}  // namespace tandem::reader
