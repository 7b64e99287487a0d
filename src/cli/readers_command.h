// `tandem readers`: the hidden readers of the migration in progress, as
// lines for a person or JSON Lines.
#pragma once

#include <string>

#include "common/status.h"
#include "core/runner.h"

namespace tandem::cli {

// Prints every reader; kRefused (exit 1) when there is any, as complete
// would refuse, so that a script or CI step can stop on it.
// With `scan_dir`, the code under it is searched too (readers/code_scan.h).
Status RunReaders(core::Runner& runner, bool json, const std::string& scan_dir = "");

}  // namespace tandem::cli
