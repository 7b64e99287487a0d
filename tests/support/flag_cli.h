// `tandem flag` through the real binary, written once and run on both
// engines: set, get (text and JSON Lines), history from the event log, bad
// input, and the refusal without a migration in progress.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "support/command.h"

namespace tandem::testing {

// Each runs the tandem binary on the database at `url`.
// Before any migration: every flag command exits 1, naming why.
void ExpectFlagCommandsRefusedWithoutMigration(const std::string& url);

// With `migration` in progress and no flag set yet.
void ExpectFlagSetGetHistory(const std::string& url, const std::string& migration);

// Bad names and shares exit 2, naming the input, and change nothing.
void ExpectBadFlagInputRejected(const std::string& url);

// The query `tandem flag sql --json` prints.
std::string FlagQuery(const std::string& url);

}  // namespace tandem::testing
