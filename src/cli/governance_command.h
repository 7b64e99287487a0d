// The commands of readiness and record keeping: `gates`, `signoff`,
// `approve` and `note` (README, "Gates, sign-offs and approvals").
#pragma once

#include <string>

#include "common/status.h"
#include "core/runner.h"
#include "plan/migration.h"

namespace tandem::cli {

// Prints the gates and the scorecard; kRefused (exit 1) when the next
// transition's gate is closed, so that a script can wait on it.
Status RunGates(core::Runner& runner, bool json);
Status RunSignoff(core::Runner& runner, const core::SignoffOptions& options, bool json);
// Prints the approval token (alone on its line, or as JSON).
Status RunApprove(core::Runner& runner, const plan::Migration& migration, const std::string& by,
                  bool json);
Status RunNote(core::Runner& runner, const std::string& text, const std::string& by, bool json);

// Prints each rehearsed phase's time, measured and extrapolated.
Status RunRehearse(core::Runner& runner, const plan::Migration& migration,
                   const core::RehearseOptions& options, bool json);

// Who runs the command, for sign-offs and notes without --by: $USER.
std::string DefaultPerson();

}  // namespace tandem::cli
