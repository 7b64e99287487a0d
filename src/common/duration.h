// Parsing and printing of durations given on the command line ("500ms", "10m").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tandem {

using Millis = std::chrono::milliseconds;

// Accepts an integer followed by one of ms, s, m, h ("250ms", "2s", "10m").
// A bare integer is milliseconds, as PostgreSQL's lock_timeout reads it.
Result<Millis> ParseDuration(std::string_view text);
// "1.25s", "340ms", "2m05s": short and human.
std::string FormatDuration(Millis duration);

}  // namespace tandem
