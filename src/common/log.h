// Logging: spdlog to stderr, so stdout stays for results (and --json).
#pragma once

#include <spdlog/spdlog.h>

namespace tandem {

// verbosity: 0 = info, 1 = debug, 2+ = trace. quiet: warnings and errors only.
void InitLogging(int verbosity, bool quiet);

}  // namespace tandem
