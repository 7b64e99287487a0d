// Logging: spdlog to stderr, so stdout stays for results (and --json).
#pragma once

#include <spdlog/spdlog.h>

namespace tandem {

// kText: "2026-12-07T05:31:02.123Z info message", one line per record.
// kJson: {"time":"2026-12-07T05:31:02.123Z","level":"info","message":"..."},
// for log shippers. Times are UTC in both.
enum class LogFormat { kText, kJson };

// verbosity: 0 = info, 1 = debug, 2+ = trace. quiet: warnings and errors only.
void InitLogging(int verbosity, bool quiet, LogFormat format = LogFormat::kText);

}  // namespace tandem
